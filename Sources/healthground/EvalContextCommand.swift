import ArgumentParser
import Foundation
import GroundingEval
import HealthGround
import HealthRecords

struct EvalContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Score grounded context on patient questions: answer in the top k, and the sufficiency signal."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The questions folder (BEIR layout with type/needs fields).")
    var questions = "eval/patient-questions"
    @Option(help: "The person's record files or folders, ingested into a temporary space.")
    var records: [String] = ["corpora/sample-patient"]
    @Option(name: .shortAndLong, help: "How many evidence items count.") var k = 5
    @Option(help: "Reference date for recency (YYYY-MM-DD); default: today.") var now: String?
    @Flag(help: "Print every question's outcome.") var verbose = false
    @Flag(help: "Print the summary as JSON.") var json = false

    func run() async throws {
        let evaluation = try ContextEvaluation(folder: URL(fileURLWithPath: questions))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hg-eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = options.engine().configuration
        configuration.dataDirectory = folder
        let space = try await GroundingEngine(configuration: configuration).space("evaluation")
        let report = try await space.ingest(records.map { URL(fileURLWithPath: $0) })
        guard report.failures.isEmpty else { throw ValidationError("records failed to ingest: \(report.failures)") }
        let reference = try now.map { text -> Date in
            guard let date = FHIRDate.parse(text) else { throw ValidationError("--now is YYYY-MM-DD") }
            return date
        }
        let summary = try await evaluation.run(on: space, k: k, now: reference)
        if json {
            try printJSON(summary)
            return
        }
        if verbose {
            for outcome in summary.outcomes {
                let mark = outcome.question.relevant.isEmpty ? "—" : (outcome.answeredAtK ? "✓" : "✗")
                let verdict = outcome.sufficiencyCorrect ? "" : " (sufficiency wrong: \(outcome.sufficient))"
                print("\(mark) \(outcome.question.id) [\(outcome.question.type)] \(outcome.question.text)\(verdict)")
            }
        }
        print("questions \(summary.questions), answerable \(summary.answerable), k = \(summary.k)")
        print(
            String(
                format: "answered@%d %.3f  recall@%d %.3f",
                summary.k,
                summary.answeredAtK,
                summary.k,
                summary.recallAtK
            )
        )
        print(
            String(
                format: "sufficiency accuracy %.3f  unanswerable detected %.3f",
                summary.sufficiencyAccuracy,
                summary.unanswerableDetected
            )
        )
        for (type, value) in summary.answeredByType.sorted(by: { $0.key < $1.key }) {
            print(String(format: "  %@: %.3f", type, value))
        }
    }
}
