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
        quantized.codes.withUnsafeBytes { codes in
            weights.withUnsafeBufferPointer { weights in
                for row in 0..<quantized.count {
                    let score = offset + dot(codes.baseAddress! + row * dimension, weights)
                    if score >= candidates.threshold {
                        if let allowed, !allowed(row) { continue }
                        candidates.insert(row: row, score: score)
                    }
                }
            }
        }
        return ExactSearch.rescore(candidates.heap.map(\.row), query: query, in: exact, k: k)
    }

    /// Σ weights[j]·codes[j] over one row of byte codes, 16 lanes at a time with two accumulators.
    @inline(__always)
    static func dot(_ codes: UnsafeRawPointer, _ weights: UnsafeBufferPointer<Float>) -> Float {
        let dimension = weights.count
        let w = UnsafeRawPointer(weights.baseAddress!)
        var sum0 = SIMD16<Float>()
        var sum1 = SIMD16<Float>()
        var j = 0
        while j + 32 <= dimension {
            let c0 = codes.loadUnaligned(fromByteOffset: j, as: SIMD16<UInt8>.self)
            let c1 = codes.loadUnaligned(fromByteOffset: j + 16, as: SIMD16<UInt8>.self)
            sum0 +=
                SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: c0))
                * w.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            sum1 +=
                SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: c1))
                * w.loadUnaligned(fromByteOffset: (j + 16) * 4, as: SIMD16<Float>.self)
            j += 32
        }
        if j + 16 <= dimension {
            let c0 = codes.loadUnaligned(fromByteOffset: j, as: SIMD16<UInt8>.self)
            sum0 +=
                SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: c0))
                * w.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        var tail: Float = 0
        let bytes = codes.assumingMemoryBound(to: UInt8.self)
        while j < dimension {
            tail += weights[j] * Float(bytes[j])
            j += 1
        }
        return (sum0 + sum1).sum() + tail
    }
}
