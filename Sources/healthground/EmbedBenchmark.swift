import CBLAS
import CKernels
import Foundation
import TextEmbedding
import VectorSearch

/// `healthground embed --bench FILE` (hidden; used by `scripts/bench/embed.sh`): times the encoder on
/// the `chunks` (in batches of 32) and `queries` (one at a time) of a JSON file and prints JSON.
struct EmbedBenchmark {
    let embedder: MiniLMEmbedder
    let loadTime: Duration

    private struct Texts: Decodable {
        var chunks: [String]
        var queries: [String]
    }

    private struct Result: Encodable {
        var engine: String
        var threads: Int?
        var loadSeconds: Double
        var chunks: Int
        var chunkTokensMean: Double
        var chunksPerSecond: Double
        var queries: Int
        var queryTokensMean: Double
        var queryMillisecondsP50: Double
        var queryMillisecondsP99: Double
        var residentMegabytesAfterLoad: Double
        var peakResidentMegabytes: Double
        /// OpenBLAS' `sgemm` rate on the shape of a batch's feed-forward product, with BLAS on
        /// `threads` threads, and the chunk rate it would allow if the whole forward pass ran at it.
        var sgemmGigaflops: Double
        var chunkGigaflops: Double
        var chunksPerSecondAtSGEMMRate: Double
        /// The bfloat16 product's rate (`hg_gemm_bf16_accumulate`, the rows' conversion included) on
        /// one thread on the same shape, and the chunk rate per thread it would allow; 0 without
        /// AVX-512 BF16.
        var bfloat16Gigaflops: Double
        var chunksPerSecondAtBFloat16Rate: Double
    }

    func run(textsFile: URL) throws {
        let texts = try JSONDecoder().decode(Texts.self, from: Data(contentsOf: textsFile))
        let residentAfterLoad = Self.memory("VmRSS")
        let clock = ContinuousClock()
        // Warm-up: first touches of the mapped weights and of BLAS' buffers.
        _ = try embedder.embed(Array(texts.queries.prefix(4)) + Array(texts.chunks.prefix(4)))

        let chunkStart = clock.now
        var index = 0
        while index < texts.chunks.count {
            let end = min(index + 32, texts.chunks.count)
            _ = try embedder.embed(Array(texts.chunks[index..<end]))
            index = end
        }
        let chunkSeconds = Self.seconds(clock.now - chunkStart)

        var latencies: [Double] = []
        for query in texts.queries {
            let start = clock.now
            _ = try embedder.embed([query])
            latencies.append(Self.seconds(clock.now - start) * 1_000)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty
                ? 0 : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        func meanTokens(_ list: [String]) -> Double {
            list.isEmpty
                ? 0 : Double(list.map { embedder.tokenizer.tokenIDs(for: $0).count }.reduce(0, +)) / Double(list.count)
        }
        // The ceiling: the forward pass's operations for the mean chunk at the best sgemm rate of
        // the batch's largest product (2,048 token rows × 1,536 × 384).
        hg_blas_set_threads(Int32(embedder.threads ?? 1))
        let sgemm = ExactSearch.measureSGEMMRate(m: 2_048, n: 1_536, k: 384)
        let bfloat16 = hg_bf16_supported() != 0 ? Self.measureBFloat16Rate(m: 2_048, n: 1_536, k: 384) : 0
        let chunkTokens = meanTokens(texts.chunks)
        let chunkGigaflops = embedder.forwardOperations(tokens: Int(chunkTokens.rounded())) / 1e9
        let result = Result(
            engine: "swift-\(embedder.precision.rawValue)",
            threads: embedder.threads,
            loadSeconds: Self.seconds(loadTime),
            chunks: texts.chunks.count,
            chunkTokensMean: chunkTokens,
            chunksPerSecond: Double(texts.chunks.count) / chunkSeconds,
            queries: texts.queries.count,
            queryTokensMean: meanTokens(texts.queries),
            queryMillisecondsP50: percentile(0.5),
            queryMillisecondsP99: percentile(0.99),
            residentMegabytesAfterLoad: residentAfterLoad,
            peakResidentMegabytes: Self.memory("VmHWM"),
            sgemmGigaflops: sgemm,
            chunkGigaflops: chunkGigaflops,
            chunksPerSecondAtSGEMMRate: chunkGigaflops > 0 ? sgemm / chunkGigaflops : 0,
            bfloat16Gigaflops: bfloat16,
            chunksPerSecondAtBFloat16Rate: chunkGigaflops > 0 ? bfloat16 / chunkGigaflops : 0
        )
        try printJSON(result)
    }

    /// GFLOP/s of the best of five bfloat16 products of (m×k) · (n×k)ᵀ on the calling thread.
    private static func measureBFloat16Rate(m: Int, n: Int, k: Int) -> Double {
        let x = [Float](repeating: 0.5, count: m * k)
        let w = [Float](repeating: 0.25, count: n * k)
        var packed = [UInt32](repeating: 0, count: hg_bf16_packed_words(n, k))
        hg_bf16_pack(n, k, w, k, &packed)
        var converted = [UInt32](repeating: 0, count: m * hg_bf16_pairs(k))
        var y = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<5 {
            y.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            let start = DispatchTime.now().uptimeNanoseconds
            hg_bf16_convert_rows(m, k, x, k, &converted)
            hg_gemm_bf16_accumulate(m, n, k, converted, packed, &y, n, 0, hg_bf16_panels(n))
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        precondition(y[0] == Float(k) * 0.125, "the bfloat16 product gave a wrong result")
        return 2 * Double(m * n * k) / best / 1e9
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A `/proc/self/status` memory line (`VmRSS`, `VmHWM`) in megabytes (MiB); 0 when unavailable.
    private static func memory(_ key: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Double(fields[1]) { return kilobytes / 1_024 }
        }
        return 0
    }
}
