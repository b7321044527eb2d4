import ArgumentParser

@main
struct HealthGroundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthground",
        abstract: "Ground a health assistant in one person's own records.",
        subcommands: [
            IngestCommand.self, SearchCommand.self, ContextCommand.self, AskCommand.self, ReindexCommand.self,
            ProjectionCommand.self, DoctorCommand.self, DeleteCommand.self, RotateKeysCommand.self, AuditCommand.self,
            BenchPrivacyCommand.self,
            EvalCommand.self,
        ]
    )
}
