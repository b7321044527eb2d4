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
    @Option(
        help:
            "The questions folder (BEIR layout with type/needs/split fields, and patients.jsonl for a set over several people)."
    )
    var questions = "eval/patient-questions"
    @Option(help: "The person's record files or folders, for a set about one person (no patients.jsonl).")
    var records: [String] = ["corpora/sample-patient"]
    @Option(help: "The folder patients.jsonl's files are relative to.")
    var corpora = "../shared/corpora"
    @Option(help: "Which part to score: parts (dev and test, each reported), dev, test, or all.")
    var split = "parts"
    @Option(name: .shortAndLong, help: "How many evidence items count.") var k = 5
    @Option(help: "Reference date for recency (YYYY-MM-DD); default: today.") var now: String?
    @Flag(help: "Print every question's outcome.") var verbose = false
    @Flag(help: "Print the summaries as JSON.") var json = false

    func run() async throws {
        guard ["parts", "dev", "test", "all"].contains(split) else {
            throw ValidationError("--split is parts, dev, test or all")
        }
        let evaluation = try ContextEvaluation(folder: URL(fileURLWithPath: questions))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hg-eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = options.engine().configuration
        configuration.dataDirectory = folder.appendingPathComponent("spaces")
        let engine = GroundingEngine(configuration: configuration)
        let reference = try now.map { text -> Date in
            guard let date = FHIRDate.parse(text) else { throw ValidationError("--now is YYYY-MM-DD") }
            return date
        }
        let wanted: (ContextEvaluation.Question) -> Bool = { split == "parts" || split == "all" || $0.split == split }
        var outcomes: [ContextEvaluation.Outcome] = []
        if evaluation.patients.isEmpty {
            let space = try await engine.space("evaluation")
            let report = try await space.ingest(records.map { URL(fileURLWithPath: $0) })
            guard report.failures.isEmpty else { throw ValidationError("records failed to ingest: \(report.failures)") }
            outcomes = try await evaluation.outcomes(on: space, selected: wanted, k: k, now: reference)
        } else {
            let corporaURL = URL(fileURLWithPath: corpora)
            guard FileManager.default.fileExists(atPath: corporaURL.path) else {
                throw ValidationError(
                    "\(questions) reads its records from \(corpora), which does not exist (--corpora)"
                )
            }
            for (index, patient) in evaluation.patients.enumerated() {
                let selected: (ContextEvaluation.Question) -> Bool = { $0.patient == patient.id && wanted($0) }
                guard evaluation.questions.contains(where: selected) else { continue }
                let files = try ContextEvaluation.materialize(
                    patient,
                    corpora: corporaURL,
                    into: folder.appendingPathComponent("records-\(index)")
                )
                let space = try await engine.space("evaluation-\(index)")
                let report = try await space.ingest(files)
                guard report.failures.isEmpty else {
                    throw ValidationError("\(patient.id): records failed to ingest: \(report.failures)")
                }
                let patientNow = try patient.now.map { text -> Date in
                    guard let date = FHIRDate.parse(text) else {
                        throw ValidationError("patients.jsonl: \(patient.id)'s now is not YYYY-MM-DD")
                    }
                    return date
                }
                outcomes += try await evaluation.outcomes(
                    on: space,
                    selected: selected,
                    k: k,
                    now: reference ?? patientNow
                )
            }
        }
        let parts = split == "parts" ? ["dev", "test"] : [split]
        let summaries = parts.map { part in
            ContextEvaluation.summarize(
                outcomes.filter { part == "all" || $0.question.split == part },
                k: k,
                split: part
            )
        }
        if json {
            try printJSON(summaries)
            return
        }
        if verbose {
            for outcome in outcomes {
                let mark = outcome.question.relevant.isEmpty ? "—" : (outcome.answeredAtK ? "✓" : "✗")
                let search = outcome.question.relevant.isEmpty ? "" : (outcome.searchAnsweredAtK ? "" : " (search ✗)")
                let verdict = outcome.sufficiencyCorrect ? "" : " (sufficiency wrong: \(outcome.sufficient))"
                print(
                    "\(mark) \(outcome.question.split) \(outcome.question.id) [\(outcome.question.type)] "
                        + "\(outcome.question.text)\(search)\(verdict)"
                )
            }
        }
        for summary in summaries {
            print(
                "\(summary.split) part: questions \(summary.questions), answerable \(summary.answerable), k = \(summary.k)"
            )
            print(
                String(
                    format: "  answered@%d %.3f  recall@%d %.3f  search@%d %.3f  with snapshot %.3f",
                    summary.k,
                    summary.answeredAtK,
                    summary.k,
                    summary.recallAtK,
                    summary.k,
                    summary.searchAnsweredAtK,
                    summary.answeredWithSnapshot
                )
            )
            print(
                String(
                    format: "  sufficiency accuracy %.3f  unanswerable detected %.3f",
                    summary.sufficiencyAccuracy,
                    summary.unanswerableDetected
                )
            )
            for (type, value) in summary.answeredByType.sorted(by: { $0.key < $1.key }) {
                print(String(format: "    %@: answered@%d %.3f", type, summary.k, value))
            }
        }
    }
}
