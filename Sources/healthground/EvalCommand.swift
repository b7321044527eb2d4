import ArgumentParser

/// `healthground eval …`: offline evaluations (each kind a subcommand in its own file).
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Offline evaluations: rubrics, retrieval, triage, answer checks, grounding.",
        subcommands: [
            EvalRubricsCommand.self, EvalRetrievalCommand.self, EvalContextCommand.self, EvalTriageCommand.self,
            EvalAnswersCommand.self, EvalGroundingCommand.self, EvalCompareCommand.self,
        ]
    )
}
