import ArgumentParser

@main
struct HealthGroundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthground",
        abstract: "Ground a health assistant in one person's own records.",
        subcommands: [
            IngestCommand.self, SearchCommand.self, ContextCommand.self, AskCommand.self, TriageCommand.self,
            CheckCommand.self, RulesCommand.self, ReindexCommand.self, ProjectionCommand.self, DeleteCommand.self,
            RotateKeysCommand.self, AuditCommand.self, DoctorCommand.self, EvalCommand.self, EmbedCommand.self,
            BenchContextCommand.self, BenchPrivacyCommand.self,
        ]
    )
}
