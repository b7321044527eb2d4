import CBLAS
import CKernels
import Dispatch
import VectorSearch

/// Measures what the machine can do at best: a streaming read and a large sgemm.
enum MachineLimits {
    /// The read bandwidth in GB/s (10⁹ bytes): the best of 5 passes summing a buffer far larger than
    /// the caches, split across `threads` threads. The buffer is advised for huge pages, as our
    /// matrices and numpy's arrays are, so that the limit is the memory's and not the 4 KB pages'.
    static func bandwidth(mebibytes: Int, threads: Int) -> Double {
        let count = mebibytes * 1_048_576 / 4
        let chunk = SIMD16<Float>.scalarCount
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        _ = hg_advise_huge_pages(buffer, count * MemoryLayout<Float>.stride)
        for index in 0..<count { buffer[index] = Float(index & 1023) * 1e-3 }
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        defer { sums.deallocate() }
        nonisolated(unsafe) let source = UnsafeRawPointer(buffer)
        nonisolated(unsafe) let results = sums
        let vectorsPerThread = count / chunk / threads
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                var a = SIMD16<Float>()
                var b = SIMD16<Float>()
                let first = part * vectorsPerThread
                var index = first
                let end = first + vectorsPerThread
                while index + 1 < end {
                    a += source.loadUnaligned(fromByteOffset: index * 64, as: SIMD16<Float>.self)
                    b += source.loadUnaligned(fromByteOffset: (index + 1) * 64, as: SIMD16<Float>.self)
                    index += 2
                }
                results[part] = (a + b).sum()
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, seconds)
        }
        var checksum: Float = 0
        for part in 0..<threads { checksum += sums[part] }
        precondition(checksum.isFinite, "the bandwidth read's checksum is not finite")
        return Double(vectorsPerThread * threads * 64) / best / 1e9
    }

    /// The sgemm rate in GFLOP/s (2·n³ per call), best of 5 calls on n×n matrices, with the BLAS
    /// thread count already set.
    static func sgemmRate(size n: Int) -> Double {
        ExactSearch.measureSGEMMRate(m: n, n: n, k: n)
    }

    /// The rate in GFLOP/s (2·m·n·k per call) of the bfloat16 first pass of batch search
    /// (`hg_bf16_scores`: 1,024 queries against 2,016 stored rows of 384 numbers, rounded and packed as
    /// it goes), best of 5, on `threads` threads each with its own rows: the compute limit of our
    /// batches where the processor has AVX-512 BF16, as sgemm's is of a float32 batch. Nil elsewhere.
    static func bfloat16Rate(threads: Int) -> Double? {
        guard hg_bf16_supported() != 0 else { return nil }
        let (m, n, k) = (1_024, 2_016, 384)
        let queries = (0..<(m * k)).map { Float($0 % 97) * 1e-2 - 0.5 }
        var converted = [UInt32](repeating: 0, count: m * hg_bf16_pairs(k))
        hg_bf16_convert_rows(m, k, queries, k, &converted)
        let rows = (0..<(n * k * threads)).map { Float($0 % 89) * 1e-2 - 0.4 }
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: m * n * threads)
        defer { scores.deallocate() }
        nonisolated(unsafe) let output = scores
        let bits = converted
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                var panel = [UInt32](repeating: 0, count: hg_bf16_packed_words(48, k))
                rows.withUnsafeBufferPointer { values in
                    hg_bf16_scores(
                        m,
                        n,
                        k,
                        bits,
                        values.baseAddress! + part * n * k,
                        k,
                        &panel,
                        output + part * m * n,
                        n
                    )
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        precondition(scores[0].isFinite, "the bfloat16 product gave a wrong result")
        return 2 * Double(m * n * k * threads) / best / 1e9
    }
}
