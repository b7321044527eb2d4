import ArgumentParser
import Foundation
import GroundingEval
import HealthGround

/// `healthground eval retrieval --beir DIR --mode dense|lexical|hybrid`: nDCG@k, recall@k, MRR and MAP
/// of HealthGround's search on a BEIR-layout benchmark.
struct EvalRetrievalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Score search on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The BEIR folder.") var beir: String
    @Option(help: "dense, lexical or hybrid.") var mode: SearchMode = .hybrid
    @Option(help: "convex or rrf (hybrid mode).") var fusion = "convex"
    @Option(help: "The dense weight of the convex fusion.") var denseWeight = 0.5
    @Option(help: "exact, int8 or pca (dense scans).") var scan: ScanKind = .exact
    @Option(help: "The qrels split (file name under qrels/ without .tsv).") var split = "test"
    @Option(help: "The report folder (default: eval-reports/retrieval-<time>).") var out: String?
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @Flag(help: "Print the report as JSON.") var json = false

    /// A scratch data directory for the benchmark's space, removed after the run; used unless
    /// `--data-dir` is given, in which case the space `beir` there is kept, and a later run with the
    /// same documents and embedder reuses its vectors (only new or changed documents are embedded).
    private static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "hg-beir-\(UUID().uuidString)"
    )

    /// Whether the benchmark's space is kept in `--data-dir` rather than in the scratch folder.
    private var keepsSpace: Bool { options.dataDirectory != nil }

    func run() async throws {
        let folder = URL(fileURLWithPath: beir, isDirectory: true)
        let dataset = try BEIRDataset.load(from: folder, split: split)
        let backend = try makeBackend()
        defer { if !keepsSpace { try? FileManager.default.removeItem(at: Self.scratch) } }
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

    /// HealthGround's own search over a scratch space that holds the BEIR documents.
    private func makeBackend() throws -> any RetrievalBackend {
        let method: FusionMethod
        switch fusion {
        case "rrf": method = .reciprocalRank(constant: 60)
        case "convex": method = .convex(denseWeight: denseWeight)
        default: throw ValidationError("--fusion is rrf or convex")
        }
        var configuration = options.engine().configuration
        if !keepsSpace { configuration.dataDirectory = Self.scratch }
        return HealthSpaceRetrievalBackend(configuration: configuration, mode: mode, fusion: method, scan: scan)
    }
}
