import ArgumentParser
import Foundation
import GroundingEval

struct EvalGroundingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grounding",
        abstract: "Score answers written from grounded contexts: valid citations and supported claims."
    )

    @Option(help: "JSONL: one {\"id\", \"context\" (healthground context --json), \"answer\"} per line.")
    var answers: String
    @Flag(help: "Print the summary as JSON.") var json = false

    func run() async throws {
        let summary = try GroundingEvaluation(jsonl: URL(fileURLWithPath: answers)).run()
        if json {
            try printJSON(summary)
            return
        }
        print("answers \(summary.answers)")
        print(
            String(
                format: "valid citations %.3f  supported claims %.3f  clean answers %.3f",
                summary.validCitationShare,
                summary.supportedClaimShare,
                summary.cleanAnswerShare
            )
        )
        for outcome in summary.outcomes where outcome.invalidCitations > 0 || outcome.unsupportedClaims > 0 {
            print(
                "  \(outcome.id): \(outcome.invalidCitations) invalid citations, \(outcome.unsupportedClaims) unsupported claims"
            )
        }
    }
}
