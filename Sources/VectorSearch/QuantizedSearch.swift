import CKernels

/// Approximate inner-product search over a ``QuantizedMatrix``, with exact float32 rescoring.
public enum QuantizedSearch {
    /// The `k` best rows: the quantized scan keeps `k × rescoreFactor` candidates, which are then
    /// rescored with the float32 vectors of `exact`.
    ///
    /// - Parameters:
    ///   - query: a vector of the matrix's dimension.
    ///   - quantized: the byte codes scanned.
    ///   - exact: the float32 vectors the codes were made from, for rescoring.
    ///   - k: how many rows.
    ///   - rescoreFactor: candidates kept per wanted row.
    ///   - allowed: an optional filter applied before top-k.
    public static func topK(
        query: [Float],
        quantized: QuantizedMatrix,
        exact: VectorMatrix,
        k: Int,
        rescoreFactor: Int = 8,
        allowed: ((Int) -> Bool)? = nil
    ) -> [ScoredRow] {
        let dimension = quantized.dimension
        precondition(query.count == dimension && exact.dimension == dimension, "dimension mismatch")
        guard quantized.count > 0, k > 0 else { return [] }
        // q·x ≈ Σ q[j]·min[j] + Σ (q[j]·scale[j])·code[j]
        var offset: Float = 0
        var weights = [Float](repeating: 0, count: dimension)
        for j in 0..<dimension {
            offset += query[j] * quantized.minimum[j]
            weights[j] = query[j] * quantized.scale[j]
        }
        var candidates = TopK(k: k * max(1, rescoreFactor))
        // Scores a block of rows at a time with the C kernel (AVX2 when the processor has it), then
        // feeds the bounded heap; the block stays in L1.
        let blockRows = 512
        var block = [Float](repeating: 0, count: blockRows)
        quantized.codes.withUnsafeBytes { codes in
            let base = codes.bindMemory(to: UInt8.self).baseAddress!
            weights.withUnsafeBufferPointer { weights in
                block.withUnsafeMutableBufferPointer { block in
                    var first = 0
                    while first < quantized.count {
                        let rows = min(blockRows, quantized.count - first)
                        hg_u8_scores(
                            base + first * dimension,
                            rows,
                            dimension,
                            weights.baseAddress,
                            offset,
                            block.baseAddress
                        )
                        for index in 0..<rows where block[index] >= candidates.threshold {
                            let row = first + index
                            if let allowed, !allowed(row) { continue }
                            candidates.insert(row: row, score: block[index])
                        }
                        first += rows
                    }
                }
            }
        }
        return ExactSearch.rescore(candidates.heap.map(\.row), query: query, in: exact, k: k)
    }
}
