import ArgumentParser
import Foundation
import HealthGround
import HealthRecords

/// Options shared by `context` and `ask`.
struct ContextOptions: ParsableArguments {
    @Option(help: "The space (one person).") var space: String
    @Option(help: "Tokens for the snapshot and the evidence together.") var budget = 1_500
    @Option(name: .customLong("as-of"), help: "Answer as of this day (YYYY-MM-DD): later records are left out.")
    var asOf: String?
    @Argument(help: "The question.") var question: String

    func asOfDate() throws -> Date? {
        guard let asOf else { return nil }
        guard asOf.count == 10, let date = FHIRDate.parse(asOf) else { throw ValidationError("--as-of is YYYY-MM-DD") }
        return date.addingTimeInterval(86_399)
    }
}

struct ContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "The grounded context for a question: snapshot, cited evidence, sufficiency (for a model)."
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var context: ContextOptions
    @Flag(help: "Print the context as JSON.") var json = false

    func run() async throws {
        guard context.budget >= 100 else { throw ValidationError("--budget must be at least 100 tokens") }
        let result = try await options.engine().space(context.space)
            .context(for: context.question, budget: context.budget, asOf: try context.asOfDate())
        if json {
            try printJSON(result)
        } else {
            print(result.renderedPrompt)
        }
    }
}

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "The same context, shown for people: what the records say, with citations."
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var context: ContextOptions

    func run() async throws {
        let result = try await options.engine().space(context.space)
            .context(for: context.question, budget: context.budget, asOf: try context.asOfDate())
        print("Question: \(result.question)")
        if !result.sufficiency.isSufficient {
            print("Not found: \(result.sufficiency.guidance)")
            if !result.sufficiency.missingTerms.isEmpty {
                print("  (no record mentions: \(result.sufficiency.missingTerms.joined(separator: ", ")))")
            }
        }
        print("\nFrom the records (\(result.evidence.count) items, \(result.tokensUsed)/\(result.budget) tokens):")
        for item in result.evidence.prefix(8) {
            let first = item.text.split(separator: "\n").first.map(String.init) ?? ""
            print("[\(item.number)] \(first)")
            print("     \(item.citation)")
        }
        print("\n" + result.snapshot.text)
    }
}
