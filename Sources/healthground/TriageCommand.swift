import ArgumentParser
import Foundation
import Guardrails
import HealthGround
import TextEmbedding

/// `healthground triage "message"`: triage one message (or several turns) with the rules file.
struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Triage a message: emergency, crisis, urgent, routine or self-care, with the rules that fired."
    )

    @OptionGroup var guardrailOptions: GuardrailOptions
    @Argument(help: "The message; several arguments are earlier-to-later user turns of one conversation.")
    var turns: [String] = []
    @Flag(help: "Print the verdict as JSON.") var json = false
    @Option(help: "Time this many triages of the conversation and print p50/p95 (for scripts/bench/triage.sh).")
    var bench: Int?
    @Option(
        help: "With --bench: time every case of this .jsonl file or folder of labelled cases (eval/triage) instead."
    )
    var benchCases: String?

    func validate() throws {
        if benchCases != nil && bench == nil { throw ValidationError("--bench-cases needs --bench N") }
        if benchCases == nil && turns.isEmpty { throw ValidationError("give the message to triage") }
    }

    func run() async throws {
        let guardrails = try guardrailOptions.guardrails()
        let conversation = turns.map { ConversationTurn.user($0) }
        if let bench {
            let conversations =
                try benchCases.map { try TriageEvaluation.loadCases(from: URL(fileURLWithPath: $0)).map(\.turns) }
                ?? [conversation]
            var times: [Double] = []
            // Round after round over the conversations, so that no message is timed twice in a row.
            for _ in 0..<max(bench, 1) {
                for conversation in conversations {
                    let start = ContinuousClock.now
                    _ = guardrails.triage(conversation: conversation)
                    let elapsed = start.duration(to: .now)
                    times.append(
                        Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
                    )
                }
            }
            times.sort()
            let p50 = times[times.count / 2]
            let p95 = times[min(times.count - 1, times.count * 95 / 100)]
            let what = conversations.count > 1 ? " (\(conversations.count) cases)" : ""
            print(String(format: "triage: %d runs%@, p50 %.3f ms, p95 %.3f ms", times.count, what, p50, p95))
            return
        }
        let verdict = guardrails.triage(conversation: conversation)
        if json {
            try printJSON(verdict)
            return
        }
        print("level: \(verdict.level)")
        for fired in verdict.firedRules {
            var line = "  fired \(fired.ruleID) v\(fired.ruleVersion) (\(fired.level), \(fired.source.rawValue)"
            if let turn = fired.turn, let span = fired.span {
                line += ", turn \(turn + 1) \(span): \"\(span.text(in: turns[turn]))\""
            }
            if let similarity = fired.similarity { line += String(format: ", similarity %.2f", similarity) }
            print(line + ")")
        }
        for ignored in verdict.ignoredMatches {
            print(
                "  ignored \(ignored.ruleID) (\(ignored.modifier.rawValue)) at turn \(ignored.turn + 1) \(ignored.span)"
            )
        }
        if let escalation = verdict.escalation { print("escalation: \(escalation)") }
        for message in verdict.messages { print("- \(message)") }
        if let notice = verdict.reviewNotice { print("note: \(notice)") }
    }
}

/// Options every guardrails command shares: the rules file, strict mode, locale and embedder.
struct GuardrailOptions: ParsableArguments {
    @Option(help: "A rules file (default: the rules shipped with HealthGround).")
    var rules: String?
    @Flag(help: "Refuse rules that lack a current clinical review.")
    var strict = false
    @Option(help: "Escalation numbers and language: US, EU, FR, UK or ES.")
    var locale = "US"
    @Option(
        help:
            "Exemplar matching: 'minilm' (all-MiniLM-L6-v2), 'hashing' (the built-in hashing embedder) or 'none' (patterns only)."
    )
    var embedder = "hashing"
    @Option(
        name: .customLong("model-dir"),
        help: "Folder of the all-MiniLM-L6-v2 files (default: ./models/all-MiniLM-L6-v2)."
    )
    var modelDirectory: String?
    @Option(help: "Overrides the rules file's similarity threshold for the embedder.")
    var threshold: Double?
    @Option(help: "Encoder workers for --embedder minilm (default: one per core).")
    var threads: Int?

    func ruleBook() throws -> RuleBook {
        let mode: RuleBook.LoadMode = strict ? .strict : .default
        if let rules { return try RuleBook.load(from: URL(fileURLWithPath: rules), mode: mode) }
        return try RuleBook.bundled(mode: mode)
    }

    func guardrails() throws -> Guardrails {
        try guardrails(book: try ruleBook())
    }

    func guardrails(book: RuleBook, threshold override: Double? = nil) throws -> Guardrails {
        try Guardrails(
            rules: book,
            configuration: .init(
                locale: locale,
                embedder: try chosenEmbedder(),
                similarityThreshold: override ?? threshold
            )
        )
    }

    /// The embedder `--embedder` names, loaded (nil for `none`).
    func chosenEmbedder() throws -> (any Embedder)? {
        let chosen: (any Embedder)?
        switch embedder {
        case "hashing": chosen = HashingEmbedder()
        case "none": chosen = nil
        case "minilm":
            let folder =
                modelDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? ModelLocator.defaultDirectory()
            do {
                chosen = try MiniLMEmbedder(
                    modelDirectory: folder,
                    threads: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
                )
            } catch {
                throw ValidationError("cannot load all-MiniLM-L6-v2 from \(folder.path): \(error) (scripts/setup.sh)")
            }
        default: throw ValidationError("--embedder must be 'minilm', 'hashing' or 'none'")
        }
        return chosen
    }
}
