import CBLAS

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
