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
    ///   - threads: without a filter, a matrix of at least 4,096 rows is scanned in up to this many
    ///     parts (at least 2,048 rows each) on the process's scan team, each part with its own heap,
    ///     merged at the end; the hits are the same on any number of threads.
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
            rowsPerPart: 2_048
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

    /// How a batch's scores are computed before its heaps are fed.
    public enum BatchProducts: String, Sendable, CaseIterable {
        /// `cblas_sgemm` on the float32 vectors; its scores are the result.
        case float32
        /// A first pass with both operands rounded to bfloat16 and the products summed in float32
        /// (`vdpbf16ps`, about twice sgemm's rate), then a float32 rescoring of every row that the
        /// rounding's error bound cannot rule out: the same hits as ``float32``, not an approximation.
        /// On a processor without AVX-512 BF16 the first pass runs the portable build, which is slow.
        case bfloat16

        /// ``bfloat16`` where the processor has AVX-512 BF16, ``float32`` elsewhere.
        public static var fastest: BatchProducts { hg_bf16_supported() != 0 ? .bfloat16 : .float32 }
    }

    /// The hits of a batch, and how often the bfloat16 first pass had to give way.
    public struct BatchResult: Sendable {
        /// One list per query, best first.
        public var hits: [[ScoredRow]]
        /// Queries whose bfloat16 candidates could not be proven to hold the exact top `k` (many rows
        /// within the error bound of the `k`-th score, such as duplicates), searched again with a float32
        /// scan. Always 0 with float32 products, which a matrix or batch holding a NaN or a number past
        /// 10³⁰ also gets.
        public var rescanned: Int
    }

    /// The `k` best rows for each of several queries; see ``batch(queries:in:k:allowed:tileRows:threads:products:)``.
    public static func topK(
        queries: [[Float]],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)? = nil,
        tileRows: Int? = nil,
        threads: Int = 1,
        products: BatchProducts = .fastest
    ) -> [[ScoredRow]] {
        batch(
            queries: queries,
            in: matrix,
            k: k,
            allowed: allowed,
            tileRows: tileRows,
            threads: threads,
            products: products
        ).hits
    }

    /// The `k` best rows for each of several queries, by one matrix product per tile of rows.
    ///
    /// The matrix is scanned in tiles of `tileRows` rows so that the Q×tile score block stays in cache;
    /// each query's bounded heap is fed from the block as soon as it is computed (no full sort), the
    /// scores below the heap's threshold skipped 32 at a time.
    ///
    /// With ``BatchProducts/bfloat16`` products (the default where the processor has them) each tile is
    /// rounded to bfloat16 and packed as it is reached (no second copy of the matrix is kept), and each
    /// heap keeps `2k + 32` candidates. Each candidate is then rescored in float32. A bfloat16 score `a`
    /// differs from the float32 one by at most `δ = (2u + u² + 2.1·d·2⁻²⁴)·‖q‖·max‖x‖` (`u = 2⁻⁸`, the
    /// rounding of both operands, plus the float32 sums of both passes), so a row left out of the heap
    /// scored at most `a_worst + δ` in float32; when that is below the `k`-th rescored candidate, the
    /// candidates hold the exact top `k`. A query where it is not (many rows within `δ` of the cut) is
    /// searched again with the float32 scan, so the hits are always those of a float32 search.
    /// - Parameters:
    ///   - queries: vectors of the matrix's dimension.
    ///   - matrix: the vectors searched.
    ///   - k: how many rows per query.
    ///   - allowed: an optional filter applied before top-k, as in ``topK(query:in:k:allowed:threads:)``.
    ///   - tileRows: rows per tile; by default 2^19 ÷ the query count, between 512 and 2,048, so that
    ///     the block of scores stays near 2 MB (at 1,024 queries on 1M rows, 512-row tiles measured 4%
    ///     faster than 2,048). bfloat16 tiles are rounded down to whole panels of 48 rows.
    ///   - threads: without a filter, bfloat16 tiles are split into this many parts of rows, each with
    ///     its own heaps, on as many threads; float32 heaps are fed in this many groups of queries (the
    ///     product itself runs on the BLAS library's threads).
    ///   - products: how the tiles' scores are computed.
    public static func batch(
        queries: [[Float]],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)? = nil,
        tileRows: Int? = nil,
        threads: Int = 1,
        products: BatchProducts = .fastest
    ) -> BatchResult {
        let dimension = matrix.dimension
        let rows = matrix.count
        guard !queries.isEmpty else { return BatchResult(hits: [], rescanned: 0) }
        guard rows > 0, k > 0 else { return BatchResult(hits: queries.map { _ in [] }, rescanned: 0) }
        let queryCount = queries.count
        var packed = [Float]()
        packed.reserveCapacity(queryCount * dimension)
        for query in queries {
            precondition(query.count == dimension, "query has \(query.count) numbers, expected \(dimension)")
            packed.append(contentsOf: query)
        }
        let tile = max(1, min(tileRows ?? min(2_048, max(512, 524_288 / queryCount)), rows))
        // A NaN leaves no bound, and a number near float32's largest may round up to infinity in
        // bfloat16: such a matrix or batch takes the float32 products.
        if products == .bfloat16, matrix.normBound <= 1e30, packed.allSatisfy({ $0.magnitude <= 1e30 }) {
            return bfloat16Batch(queries, packed, in: matrix, k: k, allowed: allowed, tile: tile, threads: threads)
        }
        let hits = float32Batch(
            packed,
            count: queryCount,
            in: matrix,
            k: k,
            allowed: allowed,
            tile: tile,
            threads: threads
        )
        return BatchResult(hits: hits, rescanned: 0)
    }

    /// The float32 batch: one `cblas_sgemm` per tile, the heaps fed in groups of queries.
    private static func float32Batch(
        _ packed: [Float],
        count queryCount: Int,
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)?,
        tile: Int,
        threads: Int
    ) -> [[ScoredRow]] {
        let (dimension, rows) = (matrix.dimension, matrix.count)
        let heaps = Slots(count: queryCount, repeating: TopK(k: min(k, rows)))
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

    /// The bound `δ` on |bfloat16 first-pass score − float32 rescored score| for a query of norm
    /// `queryNorm` against rows of norm at most `rowNorm` in `dimension` dimensions (see
    /// ``batch(queries:in:k:allowed:tileRows:threads:products:)``), with a relative margin of 2⁻²⁰.
    /// `vdpbf16ps` treats subnormal inputs and results as zero: the last term covers that, at most
    /// 2⁻¹²⁶ per input and per sum, whatever the numbers' size.
    public static func bfloat16ScoreBound(queryNorm: Double, rowNorm: Double, dimension: Int) -> Double {
        let u = 0x1p-8
        let d = Double(dimension)
        let factor = 2 * u + u * u + 2.1 * d * 0x1p-24
        return factor * queryNorm * rowNorm * (1 + 0x1p-20) + d * 0x1p-124 * (2 + queryNorm + rowNorm)
    }

    /// The bfloat16 batch: tiles packed as they are reached, parts of rows on threads, candidates
    /// rescored in float32 and proven complete, or the query searched again.
    private static func bfloat16Batch(
        _ queries: [[Float]],
        _ packed: [Float],
        in matrix: VectorMatrix,
        k: Int,
        allowed: ((Int) -> Bool)?,
        tile: Int,
        threads: Int
    ) -> BatchResult {
        let (dimension, rows, queryCount) = (matrix.dimension, matrix.count, queries.count)
        let keep = min(rows, 2 * k + 32)
        // Tiles of whole panels of 48 rows (`hg_bf16_scores`), so that only a part's last panel is partial.
        let panelRows = 48
        let tile = max(panelRows, tile / panelRows * panelRows)
        let words = queryCount * hg_bf16_pairs(dimension)
        let queryBits = [UInt32](unsafeUninitializedCapacity: words) { bits, initialized in
            hg_bf16_convert_rows(queryCount, dimension, packed, dimension, bits.baseAddress)
            initialized = words
        }
        // A part is worth a thread from about 2⁵ MFLOP (2,048 rows for 64 queries).
        let parts = allowed == nil ? max(1, min(threads, rows * queryCount / 65_536)) : 1
        let heaps = Slots(count: parts * queryCount, repeating: TopK(k: keep))
        // One part of the rows, its heaps at slots part·Q ..< (part + 1)·Q.
        let scan: (Int, ((Int) -> Bool)?) -> Void = { part, allowed in
            let range = (rows * part / parts)..<(rows * (part + 1) / parts)
            var panel = [UInt32](repeating: 0, count: hg_bf16_packed_words(panelRows, dimension))
            var block = [Float](repeating: 0, count: queryCount * tile)
            matrix.storage.withUnsafeBufferPointer { a in
                block.withUnsafeMutableBufferPointer { c in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let count = min(tile, range.upperBound - start)
                        // (Q×d) · (count×d)ᵀ → Q×count
                        hg_bf16_scores(
                            queryCount,
                            count,
                            dimension,
                            queryBits,
                            a.baseAddress! + start * dimension,
                            dimension,
                            &panel,
                            c.baseAddress,
                            count
                        )
                        for query in 0..<queryCount {
                            heaps.slots[part * queryCount + query].offer(
                                c.baseAddress! + query * count,
                                count: count,
                                firstRow: start,
                                allowed: allowed
                            )
                        }
                        start += count
                    }
                }
            }
        }
        if parts > 1 {
            nonisolated(unsafe) let scanPart = scan
            DispatchQueue.concurrentPerform(iterations: parts) { scanPart($0, nil) }
        } else {
            scan(0, allowed)
        }
        // Merge the parts' heaps, rescore, prove; in groups of queries on the threads.
        let results = Slots<[ScoredRow]?>(count: queryCount, repeating: nil)
        let groups = allowed == nil ? max(1, min(threads, queryCount / 16)) : 1
        nonisolated(unsafe) let filter = allowed
        DispatchQueue.concurrentPerform(iterations: groups) { group in
            for query in (queryCount * group / groups)..<(queryCount * (group + 1) / groups) {
                let merged = TopK.merged(heaps, at: stride(from: query, to: parts * queryCount, by: queryCount))
                let hits = rescore(merged.heap.map(\.row), query: queries[query], in: matrix, k: k)
                // Rows never kept scored at most `merged.threshold` in the first pass.
                var proven = !merged.isFull || keep >= rows
                if !proven, hits.count == k {
                    let norm = queries[query].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                    let bound = bfloat16ScoreBound(queryNorm: norm, rowNorm: matrix.normBound, dimension: dimension)
                    proven = Double(merged.threshold) + bound < Double(hits[k - 1].score)
                }
                results.slots[query] = proven ? hits : nil
            }
        }
        var rescanned = 0
        var all: [[ScoredRow]] = []
        all.reserveCapacity(queryCount)
        for query in 0..<queryCount {
            if let hits = results.slots[query] {
                all.append(hits)
            } else {
                rescanned += 1
                all.append(topK(query: queries[query], in: matrix, k: k, allowed: filter, threads: threads))
            }
        }
        return BatchResult(hits: all, rescanned: rescanned)
    }

    /// The `k` best of some candidate rows by their exact float32 inner product with `query`: the
    /// rescoring step of the approximate scans (int8, PCA).
    ///
    /// With `threads` above 1 and at least 64 rows, the rows are shared by the scan team's threads:
    /// each gathered row is a few dozen cache lines fetched from wherever the matrix is (80 rows took
    /// 11 µs on one thread, a fifth of an int8 query of 10k rows), so two threads keep twice the
    /// fetches in flight. The scores, and so the hits, are the same on any number of threads.
    public static func rescore(
        _ rows: [Int],
        query: [Float],
        in matrix: VectorMatrix,
        k: Int,
        threads: Int = 1
    ) -> [ScoredRow] {
        guard !rows.isEmpty else { return [] }
        var scores = [Float](repeating: 0, count: rows.count)
        scores.withUnsafeMutableBufferPointer { scores in
            rows.withUnsafeBufferPointer { rows in
                let count = rows.count
                func gather(_ part: Range<Int>) {
                    gatheredScores(
                        UnsafeBufferPointer(rebasing: rows[part]),
                        query: query,
                        in: matrix,
                        into: scores.baseAddress! + part.lowerBound
                    )
                }
                if let (team, parts) = ScanTeam.split(min(threads, count / 32)),
                    team.run(parts: parts, { gather((count * $0 / parts)..<(count * ($0 + 1) / parts)) })
                {
                    return
                }
                gather(0..<count)
            }
        }
        return TopK.best(k, of: zip(rows, scores).map { ScoredRow(row: $0, score: $1) })
    }

    /// Writes the float32 inner product of each of `rows` with `query` to `scores`: the rescoring
    /// kernel, whose score for a row is the same whatever rows come with it.
    static func gatheredScores(
        _ rows: UnsafeBufferPointer<Int>,
        query: [Float],
        in matrix: VectorMatrix,
        into scores: UnsafeMutablePointer<Float>
    ) {
        guard let first = rows.baseAddress, !rows.isEmpty else { return }
        matrix.storage.withUnsafeBufferPointer { values in
            hg_gathered_inner_products(values.baseAddress, matrix.dimension, first, rows.count, query, scores)
        }
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
