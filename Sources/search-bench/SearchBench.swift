import CBLAS
import Dispatch
import Foundation
import VectorSearch

/// `search-bench`: times the exact and int8 searches of `VectorSearch` on raw float32 files and
/// measures the machine's limits (memory bandwidth, sgemm rate); prints one JSON object.
///
/// Usage: ``BenchOptions/usage`` (`search-bench --help`).
@main
struct SearchBench {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.contains("--help") || arguments.contains("-h") {
            print(BenchOptions.usage)
            return
        }
        let options: BenchOptions
        do {
            options = try BenchOptions(arguments: arguments)
        } catch {
            FileHandle.standardError.write(Data("search-bench: \(error)\n\(BenchOptions.usage)\n".utf8))
            exit(2)
        }
        do {
            try run(options)
        } catch {
            FileHandle.standardError.write(Data("search-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func run(_ options: BenchOptions) throws {
        hg_blas_set_threads(Int32(options.threads))
        let vectors = try RawFile.floats(at: options.vectors)
        let queryValues = try RawFile.floats(at: options.queries)
        let dimension = options.dimension
        guard vectors.count % dimension == 0, queryValues.count % dimension == 0 else {
            throw BenchError("the vector files do not hold whole rows of \(dimension) numbers")
        }
        let matrix = VectorMatrix(dimension: dimension, storage: vectors)
        let queries = (0..<(queryValues.count / dimension)).map {
            Array(queryValues[($0 * dimension)..<(($0 + 1) * dimension)])
        }
        let truth: [[Int]]? = try options.truth.map { path in
            let values = try RawFile.int32s(at: path)
            let width = values.count / max(1, queries.count)
            return (0..<queries.count).map { q in values[(q * width)..<(q * width + options.k)].map { Int($0) } }
        }
        let k = options.k
        var report: [String: Any] = [
            "kind": "ours", "dataset": options.name, "n": matrix.count, "d": dimension, "threads": options.threads,
            "k": k, "gap_ms": options.gapMilliseconds,
            "blas": (hg_openblas_config() ?? hg_blas_library_path()).map { String(cString: $0) } ?? "unknown",
        ]

        // Single queries, exact and int8, in alternating rounds over the same queries, so that both
        // meet the same states of the machine: on a shared VM the memory bandwidth two threads get has
        // been seen to move between ~35 and ~60 GB/s within one run, and an int8 speed-up measured
        // minutes after the exact queries compared two states. The read bandwidth is measured before
        // and after the rounds; the single-query limits use the larger.
        let quantizeStart = DispatchTime.now().uptimeNanoseconds
        let quantized = QuantizedMatrix(matrix)
        report["int8_build_seconds"] = Double(DispatchTime.now().uptimeNanoseconds - quantizeStart) / 1e9
        report["int8_rescore_factor"] = options.rescoreFactor
        report["single_rounds"] = options.rounds
        let exact: ([Float]) -> [ScoredRow] = {
            ExactSearch.topK(query: $0, in: matrix, k: k, threads: options.threads)
        }
        let int8: ([Float]) -> [ScoredRow] = {
            QuantizedSearch.topK(
                query: $0,
                quantized: quantized,
                exact: matrix,
                k: k,
                rescoreFactor: options.rescoreFactor,
                threads: options.threads
            )
        }
        let singleCount = min(options.single, queries.count)
        for q in 0..<min(options.warmup, queries.count) {
            _ = exact(queries[q])
            _ = int8(queries[q])
        }
        let before = MachineLimits.bandwidth(mebibytes: options.bandwidthMiB, threads: options.threads)
        var exactRun = SingleQueries(count: singleCount)
        var int8Run = SingleQueries(count: singleCount)
        let rounds = max(1, min(options.rounds, singleCount))
        for round in 0..<rounds {
            let range = (singleCount * round / rounds)..<(singleCount * (round + 1) / rounds)
            exactRun.time(queries, range, gapMilliseconds: options.gapMilliseconds, exact)
            int8Run.time(queries, range, gapMilliseconds: options.gapMilliseconds, int8)
        }
        let after = MachineLimits.bandwidth(mebibytes: options.bandwidthMiB, threads: options.threads)
        report["bandwidth_before_gbs"] = before
        report["bandwidth_after_gbs"] = after
        report["bandwidth_gbs"] = max(before, after)
        report["exact_single"] = exactRun.latency(truth: truth)
        report["int8_single"] = int8Run.latency(truth: truth)

        // Batches: one call per batch, best of a few repetitions (at least one, bounded by time).
        report["sgemm_gflops"] = MachineLimits.sgemmRate(size: 1_024)
        // OpenBLAS' threads spin for about 0.1 s after a call before they sleep; a bfloat16 batch does
        // not call BLAS and would share the second core with them.
        usleep(300_000)
        if let rate = MachineLimits.bfloat16Rate(threads: options.threads) { report["bf16_gflops"] = rate }
        var batches: [String: Any] = [:]
        for size in [64, 1_024] where size <= queries.count && !options.skipBatch.contains(size) {
            let batch = Array(queries[0..<size])
            var best = Double.infinity
            var results: [[ScoredRow]] = []
            var rescanned = 0
            var spent = 0.0
            var repetitions = 0
            while repetitions < 3 && (repetitions == 0 || spent < 5) {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = ExactSearch.batch(
                    queries: batch,
                    in: matrix,
                    k: k,
                    tileRows: options.tileRows,
                    threads: options.threads,
                    products: options.batchProducts
                )
                (results, rescanned) = (result.hits, result.rescanned)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                best = min(best, seconds)
                spent += seconds
                repetitions += 1
            }
            var entry: [String: Any] = ["seconds": best, "qps": Double(size) / best, "rescanned": rescanned]
            if let truth { entry["recall"] = Stats.recall(results.map { $0.map(\.row) }, truth) }
            batches[String(size)] = entry
        }
        report["exact_batch"] = batches
        report["batch_products"] = options.batchProducts.rawValue

        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Sleeps `milliseconds` (none for 0), so that the next query meets the machine after a pause.
    static func pause(_ milliseconds: Double) {
        guard milliseconds > 0 else { return }
        usleep(useconds_t(milliseconds * 1_000))
    }
}

/// The single queries of one kind, timed one by one in rounds: each round first runs two of its
/// queries untimed, so that a round begins with the caches as the other kind's round left them
/// refilled.
struct SingleQueries {
    private(set) var times: [Double]
    private(set) var hits: [[Int]]

    /// For queries `0..<count`, each timed by one of the rounds.
    init(count: Int) {
        times = Array(repeating: 0, count: count)
        hits = Array(repeating: [], count: count)
    }

    mutating func time(
        _ queries: [[Float]],
        _ range: Range<Int>,
        gapMilliseconds: Double,
        _ search: ([Float]) -> [ScoredRow]
    ) {
        for q in range.prefix(2) { _ = search(queries[q]) }
        for q in range {
            SearchBench.pause(gapMilliseconds)
            let start = DispatchTime.now().uptimeNanoseconds
            let found = search(queries[q])
            times[q] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            hits[q] = found.map(\.row)
        }
    }

    /// p50/p99, and the recall against the truth of the same queries.
    func latency(truth: [[Int]]?) -> [String: Any] {
        Stats.latency(times, recall: truth.map { Stats.recall(hits, $0) })
    }
}
