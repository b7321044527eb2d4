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
        quantized.codes.withUnsafeBufferPointer { codes in
            weights.withUnsafeBufferPointer { weights in
                for row in 0..<quantized.count {
                    let base = row * dimension
                    var sum0: Float = 0
                    var sum1: Float = 0
                    var sum2: Float = 0
                    var sum3: Float = 0
                    var j = 0
                    while j + 4 <= dimension {
                        sum0 += weights[j] * Float(codes[base + j])
                        sum1 += weights[j + 1] * Float(codes[base + j + 1])
                        sum2 += weights[j + 2] * Float(codes[base + j + 2])
                        sum3 += weights[j + 3] * Float(codes[base + j + 3])
                        j += 4
                    }
                    while j < dimension {
                        sum0 += weights[j] * Float(codes[base + j])
                        j += 1
                    }
                    let score = offset + (sum0 + sum1) + (sum2 + sum3)
                    if score >= candidates.threshold {
                        if let allowed, !allowed(row) { continue }
                        candidates.insert(row: row, score: score)
                    }
                }
            }
        }
        var rescored = TopK(k: k)
        exact.storage.withUnsafeBufferPointer { values in
            for candidate in candidates.heap {
                let base = candidate.row * dimension
                var dot: Float = 0
                for j in 0..<dimension { dot += values[base + j] * query[j] }
                rescored.insert(row: candidate.row, score: dot)
            }
        }
        return rescored.sorted()
    }
}
