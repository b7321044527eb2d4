import ArgumentParser

/// `healthground eval …`: offline evaluations (each kind a subcommand in its own file).
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Offline evaluations: rubrics, retrieval, triage, answer checks, grounding.",
        subcommands: [EvalTriageCommand.self, EvalAnswersCommand.self]
    )
}
