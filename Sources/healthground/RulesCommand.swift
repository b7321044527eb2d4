import ArgumentParser
import Foundation
import Guardrails

/// `healthground rules …`: test, review, diff and calibrate the guardrail rules.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work with the clinician-reviewed guardrail rules.",
        subcommands: [Test.self, Status.self, Review.self, Diff.self, Calibrate.self]
    )

    /// The rules file to edit: --rules, else the source copy in this checkout.
    static func editableFile(_ rules: String?) throws -> URL {
        let path = rules ?? "Sources/Guardrails/Resources/guardrail-rules.yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no rules file at \(path); pass --rules FILE")
        }
        return URL(fileURLWithPath: path)
    }

    /// Where review snapshots (the reviewed content of each rule) are kept, beside the rules file.
    static func snapshotFile(for rules: URL) -> URL {
        rules.deletingPathExtension().appendingPathExtension("reviewed.json")
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every rule's must-fire and must-not-fire examples."
        )
        @OptionGroup var guardrailOptions: GuardrailOptions
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            let result = RuleExampleRunner.run(try guardrailOptions.guardrails())
            if json {
                try printJSON(result)
            } else {
                for failure in result.failures {
                    print(
                        "FAIL \(failure.ruleID): should \(failure.shouldFire ? "" : "not ")fire: \"\(failure.example)\""
                    )
                }
                print("\(result.examplesRun - result.failures.count)/\(result.examplesRun) examples behave as stated")
            }
            if !result.failures.isEmpty { throw ExitCode(1) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules and their review status.")
        @OptionGroup var guardrailOptions: GuardrailOptions

        func run() async throws {
            let book = try guardrailOptions.ruleBook()
            for rule in book.rules {
                let status = book.reviewStatus(of: rule)
                let who = rule.review.map { " by \($0.reviewer) (\($0.role)) on \($0.date)" } ?? ""
                print("\(rule.id) v\(rule.version) [\(rule.level)] \(status.rawValue)\(status == .reviewed ? who : "")")
            }
            print("\(book.rulesAwaitingReview.count) of \(book.rules.count) rules await clinical review")
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a clinician's review of a rule's current content (rewrites the rules file)."
        )
        @Option(help: "The rules file to update (default: the source copy in this checkout).") var rules: String?
        @Option(help: "The rule id.") var rule: String
        @Option(help: "The reviewer's name.") var reviewer: String
        @Option(help: "The reviewer's clinical role.") var role: String
        @Option(help: "The review date (default: today, UTC).") var date: String?

        func run() async throws {
            let url = try RulesCommand.editableFile(rules)
            var book = try RuleBook.load(from: url)
            let day = date ?? ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])
            try book.recordReview(ruleID: rule, reviewer: reviewer, role: role, date: day)
            try book.yaml().write(to: url, atomically: true, encoding: .utf8)
            var snapshots = RulesCommand.loadSnapshots(for: url)
            if let reviewed = book.rules.first(where: { $0.id == rule }) {
                snapshots[rule] = String(
                    decoding: RuleBook.canonicalContent(of: reviewed, concepts: book.concepts(referencedBy: reviewed)),
                    as: UTF8.self
                )
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(snapshots).write(to: RulesCommand.snapshotFile(for: url), options: .atomic)
            print("recorded review of \(rule) by \(reviewer) (\(role)) on \(day)")
        }
    }

    static func loadSnapshots(for url: URL) -> [String: String] {
        guard let data = try? Data(contentsOf: snapshotFile(for: url)) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what changed in each rule since its last review."
        )
        @Option(help: "The rules file (default: the source copy in this checkout).") var rules: String?

        func run() async throws {
            let url = try RulesCommand.editableFile(rules)
            let book = try RuleBook.load(from: url)
            let snapshots = RulesCommand.loadSnapshots(for: url)
            for rule in book.rules {
                switch book.reviewStatus(of: rule) {
                case .reviewed:
                    continue
                case .unreviewed:
                    print("\(rule.id): never reviewed")
                case .changedSinceReview:
                    print("\(rule.id): changed since the review of \(rule.review?.date ?? "?")")
                    guard let old = snapshots[rule.id] else {
                        print(
                            "  (no snapshot of the reviewed content beside the rules file; use git to see the change)"
                        )
                        continue
                    }
                    let now = String(
                        decoding: RuleBook.canonicalContent(of: rule, concepts: book.concepts(referencedBy: rule)),
                        as: UTF8.self
                    )
                    for line in RulesCommand.fieldDiff(old: old, new: now) { print("  " + line) }
                }
            }
        }
    }

    /// Field-level differences between two canonical rule serialisations.
    static func fieldDiff(old: String, new: String) -> [String] {
        guard let before = try? JSONSerialization.jsonObject(with: Data(old.utf8)) as? [String: Any],
            let after = try? JSONSerialization.jsonObject(with: Data(new.utf8)) as? [String: Any]
        else { return ["(cannot compare)"] }
        var lines: [String] = []
        for key in Set(before.keys).union(after.keys).sorted() {
            let oldValue = before[key].map { "\($0)" } ?? "—"
            let newValue = after[key].map { "\($0)" } ?? "—"
            if oldValue != newValue { lines.append("\(key):\n    - \(oldValue)\n    + \(newValue)") }
        }
        return lines
    }

    struct Calibrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sweep the exemplar similarity threshold on the development part and recommend one."
        )
        @OptionGroup var guardrailOptions: GuardrailOptions
        @Option(help: "A .jsonl file or a folder of them.") var cases = "eval/triage"

        func run() async throws {
            let book = try guardrailOptions.ruleBook()
            let loaded = try TriageEvaluation.loadCases(from: URL(fileURLWithPath: cases))
            var patternsOnly = guardrailOptions
            patternsOnly.embedder = "none"
            let base = TriageEvaluation.run(loaded, split: "dev", guardrails: try patternsOnly.guardrails(book: book))
            print(
                String(format: "patterns only: accuracy %.3f, over-triage %.3f", base.accuracy, base.selfCareOverTriage)
            )
            var best: (threshold: Double, accuracy: Double)?
            // Every exemplar and case sentence is embedded once; each threshold reuses the vectors.
            guard let chosen = try guardrailOptions.chosenEmbedder() else {
                throw ValidationError("give --embedder minilm or hashing: there is nothing to calibrate without one")
            }
            let swept = try Guardrails(
                rules: book,
                configuration: .init(
                    locale: guardrailOptions.locale,
                    embedder: MemoizingEmbedder(chosen),
                    similarityThreshold: 0.40
                )
            )
            for step in stride(from: 40, through: 95, by: 1) {
                let threshold = Double(step) / 100
                let report = TriageEvaluation.run(
                    loaded,
                    split: "dev",
                    guardrails: swept.withSimilarityThreshold(threshold)
                )
                let keepsRecall = ["emergency", "crisis"].allSatisfy {
                    (report.recall[$0] ?? 1) >= (base.recall[$0] ?? 1)
                }
                let acceptable = keepsRecall && report.selfCareOverTriage <= 0.25
                print(
                    String(
                        format: "threshold %.2f: accuracy %.3f, emergency %.3f, crisis %.3f, over-triage %.3f",
                        threshold,
                        report.accuracy,
                        report.recall["emergency"] ?? 0,
                        report.recall["crisis"] ?? 0,
                        report.selfCareOverTriage
                    ) + (acceptable ? "" : " (rejected)")
                )
                if acceptable, report.accuracy > (best?.accuracy ?? -1) { best = (threshold, report.accuracy) }
            }
            if let best {
                print(
                    String(format: "recommended threshold: %.2f (dev accuracy %.3f)", best.threshold, best.accuracy)
                )
                print(
                    "write it under embedding-thresholds in the rules file, then see the held-out test part with eval triage (report it; do not tune on it)"
                )
            } else {
                print("no threshold keeps recall and over-triage within targets; keep exemplar matching off")
            }
        }
    }
}
