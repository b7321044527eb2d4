import CBLAS
import Dispatch

/// Exhaustive inner-product search over a ``VectorMatrix`` with BLAS.
public enum ExactSearch {
    /// The `k` rows with the highest inner product with `query`, best first.
    ///
    /// - Parameters:
    ///   - query: a vector of the matrix's dimension.
    ///   - matrix: the vectors searched.
    ///   - k: how many rows to return at most.
    ///   - allowed: when given, only rows for which it returns true are candidates. The filter is
    ///     applied before top-k, so `k` hits come back whenever `k` allowed rows exist.
    /// - Returns: at most `k` rows, sorted by descending score (ties: lower row first).
    public static func topK(
        query: [Float],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)? = nil
    ) -> [ScoredRow] {
        precondition(query.count == matrix.dimension, "query has \(query.count) numbers, expected \(matrix.dimension)")
        let rows = matrix.count
        guard rows > 0, k > 0 else { return [] }
        var scores = [Float](repeating: 0, count: rows)
        // (N×d) · d → N: one sgemv over the whole matrix.
        matrix.storage.withUnsafeBufferPointer { a in
            query.withUnsafeBufferPointer { x in
                scores.withUnsafeMutableBufferPointer { y in
                    cblas_sgemv(
                        CblasRowMajor,
                        CblasNoTrans,
                        Int32(rows),
                        Int32(matrix.dimension),
                        1,
                        a.baseAddress,
                        Int32(matrix.dimension),
                        x.baseAddress,
                        1,
                        0,
                        y.baseAddress,
                        1
                    )
                }
            }
        }
        var top = TopK(k: k)
        scores.withUnsafeBufferPointer { scores in
            for row in 0..<rows where scores[row] >= top.threshold {
                if let allowed, !allowed(row) { continue }
                top.insert(row: row, score: scores[row])
            }
        }
        return top.sorted()
    }

    /// The `k` best rows for each of several queries, with one `cblas_sgemm` per tile of rows.
    ///
    /// The matrix is scanned in tiles of `tileRows` rows so that the Q×tile score block stays in cache;
    /// each query's bounded heap is fed from the block as soon as it is computed (no full sort).
    /// - Parameters:
    ///   - queries: vectors of the matrix's dimension.
    ///   - matrix: the vectors searched.
    ///   - k: how many rows per query.
    ///   - allowed: an optional filter applied before top-k, as in ``topK(query:in:k:allowed:)``.
    ///   - tileRows: rows per tile.
    /// - Returns: one list per query, best first.
    public static func topK(
        queries: [[Float]],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)? = nil,
        tileRows: Int = 2_048
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
        var heaps = (0..<queryCount).map { _ in TopK(k: k) }
        let tile = max(1, min(tileRows, rows))
        var block = [Float](repeating: 0, count: queryCount * tile)
        matrix.storage.withUnsafeBufferPointer { a in
            packed.withUnsafeBufferPointer { q in
                block.withUnsafeMutableBufferPointer { c in
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
                        for query in 0..<queryCount {
                            let base = query * count
                            var threshold = heaps[query].threshold
                            for offset in 0..<count where c[base + offset] >= threshold {
                                let row = start + offset
                                if let allowed, !allowed(row) { continue }
                                heaps[query].insert(row: row, score: c[base + offset])
                                threshold = heaps[query].threshold
                            }
                        }
                        start += count
                    }
                }
            }
        }
        return heaps.map { $0.sorted() }
    }

    /// The `k` best of some candidate rows by their exact float32 inner product with `query`: the
    /// rescoring step of the approximate scans (int8, PCA).
    public static func rescore(_ rows: [Int], query: [Float], in matrix: VectorMatrix, k: Int) -> [ScoredRow] {
        let dimension = matrix.dimension
        var rescored = TopK(k: k)
        matrix.storage.withUnsafeBufferPointer { values in
            query.withUnsafeBufferPointer { query in
                for row in rows {
                    let dot = cblas_sdot(
                        Int32(dimension),
                        values.baseAddress! + row * dimension,
                        1,
                        query.baseAddress!,
                        1
                    )
                    rescored.insert(row: row, score: dot)
                }
            }
        }
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
