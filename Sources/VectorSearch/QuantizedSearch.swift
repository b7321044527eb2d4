import CKernels

/// Approximate inner-product search over a ``QuantizedMatrix``, with exact float32 rescoring.
public enum QuantizedSearch {
    /// Wanted rows that each bring `rescoreFactor − 1` extra candidates.
    static let marginRows = 32
    /// The largest codes scanned with the kernel for codes in the caches.
    static let cachedCodeBytes = 4 << 20
    /// Candidates kept per wanted row by default: twice `k` (up to `k + 32`). With `k` alone,
    /// recall@10 against exact was 0.963–0.989 on the benchmark's vectors; with twice `k` it was
    /// 1.000 on all of them (10k to 1M random unit vectors and SciFact's MiniLM vectors, 300–1,024
    /// queries each), as with the 8 × `k` kept before, whose extra rows cost heap and rescoring time.
    public static let defaultRescoreFactor = 2

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
    ///     candidate heap, which the part's thread rescores before the heaps are merged; otherwise
    ///     the rescoring is shared by the threads from 64 candidates. The hits are the same on any
    ///     number of threads.
    public static func topK(
        query: [Float],
        quantized: QuantizedMatrix,
        exact: VectorMatrix,
        k: Int,
        rescoreFactor: Int = defaultRescoreFactor,
        allowed: ((Int) -> Bool)? = nil,
        threads: Int = 1
    ) -> [ScoredRow] {
        let dimension = quantized.dimension
        precondition(query.count == dimension && exact.dimension == dimension, "dimension mismatch")
        guard quantized.count > 0, k > 0 else { return [] }
        // q·x ≈ Σ q[j]·min[j] + Σ (q[j]·scale[j])·code[j]
        var weights = [Float](repeating: 0, count: dimension)
        var offset: Float = 0
        query.withUnsafeBufferPointer { query in
            quantized.scale.withUnsafeBufferPointer { scale in
                quantized.minimum.withUnsafeBufferPointer { minimum in
                    for j in 0..<dimension {
                        weights[j] = query[j] * scale[j]
                        offset += query[j] * minimum[j]
                    }
                }
            }
        }
        // The weights rounded once for every block of the scan.
        let prepared = UnsafeMutablePointer<hg_u8_query>.allocate(capacity: 1)
        defer { prepared.deallocate() }
        hg_u8_prepare(weights, dimension, prepared)
        // Codes of up to 4 MiB (10k rows of 384) are scanned four rows at a time (`cached`), faster
        // where they stay in the caches between queries; larger ones stream from memory, where the
        // one-row kernel is faster.
        prepared.pointee.cached = quantized.codes.count <= Self.cachedCodeBytes ? 1 : 0
        let wanted = k + (max(1, rescoreFactor) - 1) * min(k, Self.marginRows)
        // A split scan's threads each rescore their own part's candidates before the merge, so the
        // gathers are shared and no second hand-off to the team is needed; the merged heap's worst
        // candidate then marks which of them one thread would have rescored.
        let parts = Slots<[Candidate]?>(count: max(1, min(threads, PartClaims.most)), repeating: nil)
        // Blocks of 8,192 rows: the first block of each part sets the heap's bar from its own values
        // at once (see `hg_heap_offer`), so the larger it is, the fewer values pass through the heap
        // (10k rows on one thread: 17 µs in the heap with blocks of 1,024, 9.6 with 8,192).
        let candidates = TopK.scanned(
            rows: quantized.count,
            blockRows: 8_192,
            keep: wanted,
            allowed: allowed,
            threads: threads,
            rowsPerPart: 2_048,
            eachPart: { part, heap in parts.slots[part] = rescored(heap, query: query, in: exact) },
            score: { first, count, scores in
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
        )
        guard parts.slots[0] != nil else {
            return ExactSearch.rescore(candidates.heap.map(\.row), query: query, in: exact, k: k, threads: threads)
        }
        // The candidates one thread would have rescored: those not below the merged heap's worst.
        let worst = candidates.isFull ? candidates.worst : nil
        var kept: [ScoredRow] = []
        kept.reserveCapacity(wanted)
        for part in 0..<parts.count {
            guard let entries = parts.slots[part] else { break }
            for entry in entries {
                if let worst, TopK.worse(entry.approximate, worst) { continue }
                kept.append(ScoredRow(row: entry.approximate.row, score: entry.exact))
            }
        }
        return TopK.best(k, of: kept)
    }

    /// A candidate of the quantized scan: its row and approximate score, and its float32 score.
    struct Candidate {
        var approximate: ScoredRow
        var exact: Float
    }

    /// A heap's candidates with their float32 scores.
    static func rescored(_ heap: TopK, query: [Float], in matrix: VectorMatrix) -> [Candidate] {
        heap.withKept { approximate, rows in
            guard !rows.isEmpty else { return [] }
            var scores = [Float](repeating: 0, count: rows.count)
            scores.withUnsafeMutableBufferPointer { scores in
                ExactSearch.gatheredScores(rows, query: query, in: matrix, into: scores.baseAddress!)
            }
            return rows.indices.map {
                Candidate(approximate: ScoredRow(row: rows[$0], score: approximate[$0]), exact: scores[$0])
            }
        }
    }
}
