import ArgumentParser
import Foundation
import GroundingEval
import Guardrails

/// `healthground eval answers`: precision and recall of each answer check.
struct EvalAnswersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answers",
        abstract: "Score the answer checks on the labelled draft answers (eval/answer-checks)."
    )

    @OptionGroup var guardrailOptions: GuardrailOptions
    @Option(help: "A .jsonl file or a folder of them.") var cases = "eval/answer-checks"
    @Option(help: "train, test (held out) or all.") var split = "all"
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "The report folder (default: eval-reports/KIND-<time>).") var out: String?

    func run() async throws {
        let guardrails = try guardrailOptions.guardrails()
        let loaded = try AnswerEvaluation.loadCases(from: URL(fileURLWithPath: cases))
        let report = AnswerEvaluation.run(loaded, split: split, guardrails: guardrails)
        let folder = out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EvalProgress.defaultFolder("answers")
        try ReportWriter.write(
            EvalReport.answers(report, inputs: [try InputChecksum.of(URL(fileURLWithPath: cases))]),
            to: folder
        )
        if !json { print("report: \(folder.path)/report.{json,md,html}") }
        if json {
            try printJSON(report)
            return
        }
        print("answer checks (\(report.split), \(report.count) answers)")
        for check in AnswerCheck.allCases {
            guard let score = report.checks[check.rawValue] else { continue }
            let name = check.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)
            let numbers = String(
                format: "precision %.3f  recall %.3f  (tp %d, fp %d, fn %d)",
                score.precision,
                score.recall,
                score.truePositives,
                score.falsePositives,
                score.falseNegatives
            )
            print("  \(name) \(numbers)")
        }
        print(String(format: "  exact flag sets       %.3f", report.exactMatch))
        for miss in report.misses {
            let expected = miss.expected.map(\.rawValue).joined(separator: ",")
            let flagged = miss.flagged.map(\.rawValue).joined(separator: ",")
            print("  miss \(miss.id): expected [\(expected)], flagged [\(flagged)]")
        }
        print(report.meetsTargets ? "targets: met (precision and recall ≥ 0.90)" : "targets: NOT met")
    }
}
