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
    ///   - threads: without a filter, a matrix of at least 4,096 rows is scanned in up to this many
    ///     parts (at least 2,048 rows each) on the process's scan team, each part with its own
    ///     candidate heap, merged before rescoring, which is shared by the threads too from 64
    ///     candidates; the hits are the same on any number of threads.
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
        let weights = (0..<dimension).map { query[$0] * quantized.scale[$0] }
        let offset = (0..<dimension).reduce(Float(0)) { $0 + query[$1] * quantized.minimum[$1] }
        // The weights rounded once for every block of the scan.
        let prepared = UnsafeMutablePointer<hg_u8_query>.allocate(capacity: 1)
        defer { prepared.deallocate() }
        hg_u8_prepare(weights, dimension, prepared)
        let wanted = k + (max(1, rescoreFactor) - 1) * min(k, Self.marginRows)
        // Blocks of 8,192 rows: the first block of each part sets the heap's bar from its own values
        // at once (see `hg_heap_offer`), so the larger it is, the fewer values pass through the heap
        // (10k rows on one thread: 17 µs in the heap with blocks of 1,024, 9.6 with 8,192).
        let candidates = TopK.scanned(
            rows: quantized.count,
            blockRows: 8_192,
            keep: wanted,
            allowed: allowed,
            threads: threads,
            rowsPerPart: 2_048
        ) { first, count, scores in
            quantized.codes.withUnsafeBufferPointer { codes in
                hg_u8_scores_prepared(
                    codes.baseAddress! + first * dimension,
                    count,
                    dimension,
                    weights,
                    prepared,
                    offset,
                    scores
                )
            }
        }
        return ExactSearch.rescore(candidates.heap.map(\.row), query: query, in: exact, k: k, threads: threads)
    }
}
