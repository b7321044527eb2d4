import CKernels

/// Approximate inner-product search over a ``QuantizedMatrix``, with exact float32 rescoring.
public enum QuantizedSearch {
    /// Wanted rows that each bring `rescoreFactor − 1` extra candidates.
    static let marginRows = 32

    /// The `k` best rows: the quantized scan keeps `k × rescoreFactor` candidates, which are then
    /// rescored with the float32 vectors of `exact` — for a `k` above 32, `rescoreFactor − 1` times 32
    /// more than `k`. Quantization errors only decide the order near the cut, so a deep `k` needs a
    /// margin of candidates past it, not a multiple of itself (the context's pool of 240 kept 1,920
    /// of 20,000 rows, and the bounded heap's upkeep cost more than the scan).
    ///
    /// - Parameters:
    ///   - query: a vector of the matrix's dimension.
    ///   - quantized: the byte codes scanned.
    ///   - exact: the float32 vectors the codes were made from, for rescoring.
    ///   - k: how many rows.
    ///   - rescoreFactor: candidates kept per wanted row, for the first 32 wanted rows.
    ///   - allowed: an optional filter applied before top-k.
    ///   - threads: without a filter, a matrix of at least 32,768 rows is scanned in this many
    ///     parts on as many threads, each with its own candidate heap, merged before rescoring.
    public static func topK(
        query: [Float],
        quantized: QuantizedMatrix,
        exact: VectorMatrix,
        k: Int,
        rescoreFactor: Int = 8,
        allowed: ((Int) -> Bool)? = nil,
        threads: Int = 1
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
        let (scale, shift) = (weights, offset)
        let wanted = k + (max(1, rescoreFactor) - 1) * min(k, Self.marginRows)
        let parts = allowed == nil ? max(1, min(threads, quantized.count / 16_384)) : 1
        let candidates =
            parts > 1
            ? TopK.scanned(rows: quantized.count, parts: parts, keep: wanted) { rows in
                Self.scan(quantized, weights: scale, offset: shift, rows: rows, keep: wanted, allowed: nil)
            }
            : Self.scan(
                quantized,
                weights: weights,
                offset: offset,
                rows: 0..<quantized.count,
                keep: wanted,
                allowed: allowed
            )
        return ExactSearch.rescore(candidates.heap.map(\.row), query: query, in: exact, k: k)
    }

    /// The `keep` best rows of a range by their quantized score: blocks of rows scored by the C kernel
    /// (AVX2, or AVX-512 VNNI, when the processor has it) into a block that stays in L1, each feeding
    /// the bounded heap.
    static func scan(
        _ quantized: QuantizedMatrix,
        weights: [Float],
        offset: Float,
        rows range: Range<Int>,
        keep: Int,
        allowed: ((Int) -> Bool)?
    ) -> TopK {
        let dimension = quantized.dimension
        var candidates = TopK(k: keep)
        let blockRows = 4_096
        var block = [Float](repeating: 0, count: blockRows)
        quantized.codes.withUnsafeBytes { codes in
            let base = codes.bindMemory(to: UInt8.self).baseAddress!
            weights.withUnsafeBufferPointer { weights in
                block.withUnsafeMutableBufferPointer { block in
                    var first = range.lowerBound
                    while first < range.upperBound {
                        let rows = min(blockRows, range.upperBound - first)
                        hg_u8_scores(
                            base + first * dimension,
                            rows,
                            dimension,
                            weights.baseAddress,
                            offset,
                            block.baseAddress
                        )
                        candidates.offer(block.baseAddress!, count: rows, firstRow: first, allowed: allowed)
                        first += rows
                    }
                }
            }
        }
        return candidates
    }
}
