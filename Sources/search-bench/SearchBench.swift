import CBLAS
import Dispatch
import Foundation
import VectorSearch

/// `search-bench`: times the exact and int8 searches of `VectorSearch` on raw float32 files and
/// measures the machine's limits (memory bandwidth, sgemm rate); prints one JSON object.
///
/// Usage: `search-bench --vectors FILE --queries FILE --dim D [--truth FILE] [--threads T]
/// [--single N] [--warmup N] [--gap-ms MS] [--k K] [--skip-batch 1024] [--bandwidth-mib M]
/// [--batch-products P] [--rescore-factor F]`.
/// Files are little-endian float32, N×d row-major; the truth file is little-endian int32, one row
/// of at least `k` best row indices per query (best first).
@main
struct SearchBench {
    static func main() throws {
        let options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
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

        // Each limit is measured just before the figures it bounds: on a shared VM the memory
        // bandwidth two threads get has been seen to move between ~35 and ~60 GB/s within one run.
        report["bandwidth_gbs"] = MachineLimits.bandwidth(mebibytes: options.bandwidthMiB, threads: options.threads)

        // Exact single query: warm up, then time each of `single` queries.
        let singleCount = min(options.single, queries.count)
        for q in 0..<min(options.warmup, queries.count) {
            _ = ExactSearch.topK(query: queries[q], in: matrix, k: k, threads: options.threads)
        }
        var exactTimes: [Double] = []
        var exactResults: [[Int]] = []
        for q in 0..<singleCount {
            pause(options.gapMilliseconds)
            let start = DispatchTime.now().uptimeNanoseconds
            let hits = ExactSearch.topK(query: queries[q], in: matrix, k: k, threads: options.threads)
            exactTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            exactResults.append(hits.map(\.row))
        }
        report["exact_single"] = Stats.latency(exactTimes, recall: truth.map { Stats.recall(exactResults, $0) })

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

        // int8 scan with float32 rescoring.
        let quantizeStart = DispatchTime.now().uptimeNanoseconds
        let quantized = QuantizedMatrix(matrix)
        report["int8_build_seconds"] = Double(DispatchTime.now().uptimeNanoseconds - quantizeStart) / 1e9
        report["int8_rescore_factor"] = options.rescoreFactor
        for q in 0..<min(options.warmup, queries.count) {
            _ = QuantizedSearch.topK(
                query: queries[q],
                quantized: quantized,
                exact: matrix,
                k: k,
                rescoreFactor: options.rescoreFactor,
                threads: options.threads
            )
        }
        report["int8_bandwidth_gbs"] = MachineLimits.bandwidth(
            mebibytes: options.bandwidthMiB,
            threads: options.threads
        )
        var int8Times: [Double] = []
        var int8Results: [[Int]] = []
        for q in 0..<singleCount {
            pause(options.gapMilliseconds)
            let start = DispatchTime.now().uptimeNanoseconds
            let hits = QuantizedSearch.topK(
                query: queries[q],
                quantized: quantized,
                exact: matrix,
                k: k,
                rescoreFactor: options.rescoreFactor,
                threads: options.threads
            )
            int8Times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            int8Results.append(hits.map(\.row))
        }
        report["int8_single"] = Stats.latency(int8Times, recall: truth.map { Stats.recall(int8Results, $0) })

        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Sleeps `milliseconds` (none for 0), so that the next query meets the machine after a pause.
    private static func pause(_ milliseconds: Double) {
        guard milliseconds > 0 else { return }
        usleep(useconds_t(milliseconds * 1_000))
    }
}
