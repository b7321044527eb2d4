import ArgumentParser
import Foundation
import GroundingEval

/// `healthground eval retrieval --beir DIR --mode dense|lexical|hybrid`: nDCG@k, recall@k, MRR and MAP
/// of HealthGround's search on a BEIR-layout benchmark.
struct EvalRetrievalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Score search on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)."
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case dense, lexical, hybrid
    }

    @OptionGroup var options: CommonOptions
    @Option(help: "The BEIR folder.") var beir: String
    @Option(help: "dense, lexical or hybrid.") var mode: Mode = .hybrid
    @Option(help: "The qrels split (file name under qrels/ without .tsv).") var split = "test"
    @Option(help: "The report folder (default: eval-reports/retrieval-<time>).") var out: String?
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let folder = URL(fileURLWithPath: beir, isDirectory: true)
        let dataset = try BEIRDataset.load(from: folder, split: split)
        let backend = try makeBackend()
        let indexing = EvalProgress(label: "indexing")
        try await backend.index(dataset.documents) { done, total in indexing.report(done: done, total: total) }
        indexing.finish()
        let evaluation = RetrievalEvaluation(seed: seed)
        let querying = EvalProgress(label: "queries")
        let run = try await evaluation.run(
            dataset,
            progress: { querying.report(done: $0, total: $1) },
            rank: { query in try await backend.search(query, k: evaluation.depth) }
        )
        querying.finish()
        let report = EvalReport.retrieval(
            run,
            mode: "\(backend.name), \(mode.rawValue)",
            inputs: [try InputChecksum.of(folder)],
            seed: seed
        )
        let reportFolder =
            out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EvalProgress.defaultFolder("retrieval")
        try ReportWriter.write(report, to: reportFolder)
        if json {
            print(String(decoding: try ReportWriter.json(report), as: UTF8.self))
        } else {
            for metric in report.metrics {
                print(
                    "\(metric.name): \(ReportWriter.formatted(metric.value)) ± \(ReportWriter.formatted(metric.standardDeviation ?? 0))"
                )
            }
            print("report: \(reportFolder.path)/report.{json,md,html}")
        }
    }

    /// The search system to measure.
    ///
    /// TODO(lead, issue 5): HealthGround's façade has no call yet to index plain BEIR documents (id,
    /// title, text) into a space and to search it in a chosen mode returning those ids. When it does,
    /// return a `RetrievalBackend` here that indexes `dataset.documents` into a scratch space under
    /// `options.dataURL` and answers `search(query, k:)` with `space.search(query, k: k, mode: mode)`
    /// mapped back to document ids. Until then the command refuses to run rather than report numbers
    /// that do not come from HealthGround.
    private func makeBackend() throws -> any RetrievalBackend {
        throw ValidationError(
            "eval retrieval: indexing BEIR documents into a space is not available in this build yet "
                + "(needs the HealthGround search-mode API, issue 5)"
        )
    }
}
