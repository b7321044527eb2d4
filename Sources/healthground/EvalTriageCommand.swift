import ArgumentParser
import Foundation
import GroundingEval
import Guardrails

/// `healthground eval triage`: accuracy, recall per level, safety rate and over-triage.
struct EvalTriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Score triage on the labelled vignettes (eval/triage)."
    )

    @OptionGroup var guardrailOptions: GuardrailOptions
    @Option(help: "A .jsonl file or a folder of them.") var cases = "eval/triage"
    @Option(help: "parts (the development and the held-out test part, each scored), dev, test or all.")
    var split = "parts"
    @Flag(help: "Print the report as JSON (an array of one report per part).") var json = false
    @Option(help: "The report folder (default: eval-reports/KIND-<time>).") var out: String?

    func validate() throws {
        guard ["parts", "dev", "test", "all"].contains(split) else {
            throw ValidationError("--split is parts, dev, test or all")
        }
    }

    func run() async throws {
        let guardrails = try guardrailOptions.guardrails()
        let loaded = try TriageEvaluation.loadCases(from: URL(fileURLWithPath: cases))
        let splits = split == "parts" ? ["dev", "test"] : [split]
        let reports = splits.map { TriageEvaluation.run(loaded, split: $0, guardrails: guardrails) }
        let folder = out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EvalProgress.defaultFolder("triage")
        try ReportWriter.write(
            EvalReport.triage(
                reports,
                inputs: [try InputChecksum.of(URL(fileURLWithPath: cases))],
                embedder: guardrailOptions.embedder
            ),
            to: folder
        )
        if json {
            try printJSON(reports)
            return
        }
        print("report: \(folder.path)/report.{json,md,html}")
        for report in reports { Self.show(report, embedder: guardrailOptions.embedder) }
    }

    static func show(_ report: TriageReport, embedder: String) {
        let heldOut = report.split == "test" ? " (held out: never read while writing rules)" : ""
        print("triage, \(report.split) part\(heldOut): \(report.count) cases, embedder \(embedder)")
        print(String(format: "  accuracy              %.3f  (target ≥ 0.85)", report.accuracy))
        for level in TriageLevel.allCases.reversed() {
            guard let recall = report.recall[level.rawValue] else { continue }
            let target = level >= .crisis ? "  (target ≥ 0.98)" : ""
            let name = level.description.padding(toLength: 14, withPad: " ", startingAt: 0)
            print(
                "  recall \(name) " + String(format: "%.3f  n=%d", recall, report.support[level.rawValue] ?? 0) + target
            )
        }
        print(String(format: "  safety rate           %.3f  (at or above the right level)", report.safetyRate))
        print(String(format: "  self-care over-triage %.3f  (target ≤ 0.25)", report.selfCareOverTriage))
        print("  emergencies as self-care \(report.emergencyAsSelfCare)  (target 0)")
        for miss in report.misses {
            print(
                "  miss \(miss.id): expected \(miss.expected), got \(miss.predicted) [\(miss.firedRules.joined(separator: ", "))]"
            )
        }
        print(report.meetsTargets ? "targets: met" : "targets: NOT met")
    }
}
