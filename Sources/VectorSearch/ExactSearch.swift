import CBLAS
import CKernels
import Dispatch

/// Exhaustive inner-product search over a ``VectorMatrix``: a fused scan per query, BLAS for batches.
public enum ExactSearch {
    /// The `k` rows with the highest inner product with `query`, best first.
    ///
    /// The matrix is read once, in blocks of 512 rows: each block's scores are computed into a buffer
    /// that stays in L1 (the fused AVX2 kernel of `CKernels`, or `cblas_sgemv` on a processor without
    /// AVX2) and feed a bounded heap at once, so no score array of the whole matrix is written.
    /// - Parameters:
    ///   - query: a vector of the matrix's dimension.
    ///   - matrix: the vectors searched.
    ///   - k: how many rows to return at most.
    ///   - allowed: when given, only rows for which it returns true are candidates. The filter is
    ///     applied before top-k, so `k` hits come back whenever `k` allowed rows exist.
    ///   - threads: without a filter, a matrix of at least 8,192 rows is scanned in this many parts
    ///     on as many threads, each with its own heap, merged at the end.
    /// - Returns: at most `k` rows, sorted by descending score (ties: lower row first).
    public static func topK(
        query: [Float],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)? = nil,
        threads: Int = 1
    ) -> [ScoredRow] {
        precondition(query.count == matrix.dimension, "query has \(query.count) numbers, expected \(matrix.dimension)")
        let rows = matrix.count
        guard rows > 0, k > 0 else { return [] }
        let dimension = matrix.dimension
        let vectorized = hg_kernels_vectorized() != 0
        let top = TopK.scanned(
            rows: rows,
            blockRows: 512,
            keep: k,
            allowed: allowed,
            threads: threads,
            rowsPerPart: 4_096
        ) { first, count, scores in
            matrix.storage.withUnsafeBufferPointer { values in
                let vectors = values.baseAddress! + first * dimension
                if vectorized {
                    hg_inner_products(vectors, count, dimension, query, scores)
                } else {
                    // (count×d) · d → count
                    cblas_sgemv(
                        CblasRowMajor,
                        CblasNoTrans,
                        Int32(count),
                        Int32(dimension),
                        1,
                        vectors,
                        Int32(dimension),
                        query,
                        1,
                        0,
                        scores,
                        1
                    )
                }
            }
        }
        return top.sorted()
    }

    /// The `k` best rows for each of several queries, with one `cblas_sgemm` per tile of rows.
    ///
    /// The matrix is scanned in tiles of `tileRows` rows so that the Q×tile score block stays in cache;
    /// each query's bounded heap is fed from the block as soon as it is computed (no full sort), the
    /// scores below the heap's threshold skipped 32 at a time.
    /// - Parameters:
    ///   - queries: vectors of the matrix's dimension.
    ///   - matrix: the vectors searched.
    ///   - k: how many rows per query.
    ///   - allowed: an optional filter applied before top-k, as in ``topK(query:in:k:allowed:threads:)``.
    ///   - tileRows: rows per tile; by default 2^19 ÷ the query count, between 512 and 2,048, so that
    ///     the block of scores stays near 2 MB (at 1,024 queries on 1M rows, 512-row tiles measured 4%
    ///     faster than 2,048).
    ///   - threads: without a filter, the heaps are fed in this many groups of queries on as many
    ///     threads (the product itself runs on the BLAS library's threads).
    /// - Returns: one list per query, best first.
    public static func topK(
        queries: [[Float]],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)? = nil,
        tileRows: Int? = nil,
        threads: Int = 1
    ) -> [[ScoredRow]] {
        let dimension = matrix.dimension
        let rows = matrix.count
        guard !queries.isEmpty else { return [] }
        guard rows > 0, k > 0 else { return queries.map { _ in [] } }
        let queryCount = queries.count
        var packed = [Float]()
        packed.reserveCapacity(queryCount * dimension)
        for query in queries {
            precondition(query.count == dimension, "query has \(query.count) numbers, expected \(dimension)")
            packed.append(contentsOf: query)
        }
        let heaps = HeapSlots(count: queryCount, k: min(k, rows))
        let tile = max(1, min(tileRows ?? min(2_048, max(512, 524_288 / queryCount)), rows))
        let groups = allowed == nil ? max(1, min(threads, queryCount / 16)) : 1
        var block = [Float](repeating: 0, count: queryCount * tile)
        matrix.storage.withUnsafeBufferPointer { a in
            packed.withUnsafeBufferPointer { q in
                block.withUnsafeMutableBufferPointer { c in
                    nonisolated(unsafe) let scores = UnsafePointer(c.baseAddress!)
                    var start = 0
                    while start < rows {
                        let count = min(tile, rows - start)
                        // (Q×d) · (count×d)ᵀ → Q×count
                        cblas_sgemm(
                            CblasRowMajor,
                            CblasNoTrans,
                            CblasTrans,
                            Int32(queryCount),
                            Int32(count),
                            Int32(dimension),
                            1,
                            q.baseAddress,
                            Int32(dimension),
                            a.baseAddress! + start * dimension,
                            Int32(dimension),
                            0,
                            c.baseAddress,
                            Int32(count)
                        )
                        let first = start
                        if groups > 1 {
                            DispatchQueue.concurrentPerform(iterations: groups) { group in
                                for query in (queryCount * group / groups)..<(queryCount * (group + 1) / groups) {
                                    heaps.slots[query].offer(scores + query * count, count: count, firstRow: first)
                                }
                            }
                        } else {
                            for query in 0..<queryCount {
                                heaps.slots[query].offer(
                                    scores + query * count,
                                    count: count,
                                    firstRow: first,
                                    allowed: allowed
                                )
                            }
                        }
                        start += count
                    }
                }
            }
        }
        return (0..<queryCount).map { heaps.slots[$0].sorted() }
    }

    /// The `k` best of some candidate rows by their exact float32 inner product with `query`: the
    /// rescoring step of the approximate scans (int8, PCA).
    public static func rescore(_ rows: [Int], query: [Float], in matrix: VectorMatrix, k: Int) -> [ScoredRow] {
        var scores = [Float](repeating: 0, count: rows.count)
        matrix.storage.withUnsafeBufferPointer { values in
            hg_gathered_inner_products(values.baseAddress, matrix.dimension, rows, rows.count, query, &scores)
        }
        var rescored = TopK(k: min(k, rows.count))
        for (row, score) in zip(rows, scores) { rescored.insert(row: row, score: score) }
        return rescored.sorted()
    }

    /// The best of five timed `cblas_sgemm` calls of an (m×k) by (n×k)ᵀ product, in GFLOP/s
    /// (2·m·n·k per call), with the BLAS thread count as it is set: the machine's compute limit, for
    /// `doctor` and the benchmarks.
    public static func measureSGEMMRate(m: Int, n: Int, k: Int) -> Double {
        let a = [Float](repeating: 0.5, count: m * k)
        let b = [Float](repeating: 0.25, count: n * k)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            // (m×k) · (n×k)ᵀ → m×n
            cblas_sgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasTrans,
                Int32(m),
                Int32(n),
                Int32(k),
                1,
                a,
                Int32(k),
                b,
                Int32(k),
                0,
                &c,
                Int32(n)
            )
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        precondition(c[0] == Float(k) * 0.125, "sgemm gave a wrong result")
        return 2 * Double(m * n * k) / best / 1e9
    }

    /// The same ranking computed with a plain Swift loop, for checking the BLAS path.
    public static func naiveTopK(query: [Float], in matrix: VectorMatrix, k: Int) -> [ScoredRow] {
        var scored: [ScoredRow] = []
        for row in 0..<matrix.count {
            var dot: Float = 0
            for (a, b) in zip(matrix.row(row), query) { dot += a * b }
            scored.append(ScoredRow(row: row, score: dot))
        }
        scored.sort { TopK.worse($1, $0) }
        return Array(scored.prefix(k))
    }
}
