import CKernels
import Testing
import VectorSearch

/// The bfloat16 first pass of batch search: its kernel, its error bound, and the proof that makes its
/// hits those of a float32 search.
@Suite struct BFloat16BatchTests {
    /// The scores of converted queries against stored rows rounded 48 at a time equal the portable
    /// kernel's (the same sums, in another order), for every tile height, partial panels and depths
    /// under and over 32; columns past n are not written.
    @Test(arguments: [1, 7, 8, 9, 64])
    func scoresMatchPortable(queries m: Int) {
        var random = SeededVectors(state: UInt64(m))
        for (n, k) in [(1, 1), (47, 31), (48, 384), (49, 385), (2_016, 384), (100, 64)] {
            let ldr = k + 2
            let ldy = n + 3
            let rows = (0..<(n * ldr)).map { _ in random.next() }
            let queries = (0..<(m * k)).map { _ in random.next() }
            var converted = [UInt32](repeating: 0, count: m * hg_bf16_pairs(k))
            hg_bf16_convert_rows(m, k, queries, k, &converted)
            var panel = [UInt32](repeating: 0, count: hg_bf16_packed_words(48, k))
            var fast = [Float](repeating: 7, count: m * ldy)
            var reference = fast
            hg_bf16_scores(m, n, k, converted, rows, ldr, &panel, &fast, ldy)
            hg_bf16_scores_portable(m, n, k, converted, rows, ldr, &panel, &reference, ldy)
            for index in fast.indices {
                if index % ldy >= n {
                    #expect(fast[index] == 7, "m \(m) n \(n) k \(k): index \(index) written")
                } else {
                    #expect(abs(fast[index] - reference[index]) <= 1e-5 * Float(k), "m \(m) n \(n) k \(k)")
                }
            }
        }
    }

    /// First-pass scores of every row against its float32 score (the rescoring kernel's), for queries
    /// of norm 3 and rows of norm up to 2.
    static func firstPassErrors(
        queries: [[Float]],
        matrix: VectorMatrix
    ) -> (largest: Double, bound: [Double]) {
        let (d, n, m) = (matrix.dimension, matrix.count, queries.count)
        var converted = [UInt32](repeating: 0, count: m * hg_bf16_pairs(d))
        hg_bf16_convert_rows(m, d, queries.flatMap { $0 }, d, &converted)
        var panel = [UInt32](repeating: 0, count: hg_bf16_packed_words(48, d))
        var first = [Float](repeating: 0, count: m * n)
        hg_bf16_scores(m, n, d, converted, matrix.storage, d, &panel, &first, n)
        var largest = 0.0
        var bounds: [Double] = []
        for (q, query) in queries.enumerated() {
            var exact = [Float](repeating: 0, count: n)
            hg_gathered_inner_products(matrix.storage, d, Array(0..<n), n, query, &exact)
            let norm = query.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let bound = ExactSearch.bfloat16ScoreBound(queryNorm: norm, rowNorm: matrix.normBound, dimension: d)
            bounds.append(bound)
            for row in 0..<n {
                let error = abs(Double(first[q * n + row]) - Double(exact[row]))
                #expect(error <= bound, "query \(q) row \(row): \(error) > \(bound)")
                largest = max(largest, error / bound)
            }
        }
        return (largest, bounds)
    }

    @Test("every first-pass score is within the bound of its float32 score, on random vectors")
    func boundHoldsOnRandomVectors() {
        var random = SeededVectors(state: 11)
        var matrix = VectorMatrix(dimension: 384)
        for row in 0..<500 { matrix.append(random.unitVector(384).map { $0 * (1 + Float(row % 5) / 4) }) }
        #expect(abs(matrix.normBound - 2) < 1e-5)
        let queries = (0..<9).map { _ in random.unitVector(384).map { $0 * 3 } }
        let (largest, _) = Self.firstPassErrors(queries: queries, matrix: matrix)
        // Random rounding errors cancel: far inside the worst case.
        #expect(largest < 0.2)
    }

    /// Every number of query and row just under the midpoint between 1 and the next bfloat16, so that
    /// both round down by almost 2⁻⁸ of themselves and every product's error has the same sign: the
    /// worst case, which the bound must still hold (and which comes within 2% of it).
    @Test("the bound holds in the worst case, where every rounding error adds up")
    func boundHoldsInTheWorstCase() {
        let value = Float(1) + 0x1p-8 - 0x1p-22
        #expect(hg_float_from_bf16(hg_bf16_from_float(value)) == 1)
        for dimension in [1, 37, 384] {
            let matrix = VectorMatrix(dimension: dimension, storage: [Float](repeating: value, count: 3 * dimension))
            let query = [Float](repeating: value, count: dimension)
            let (largest, _) = Self.firstPassErrors(queries: [query], matrix: matrix)
            #expect(largest > 0.98, "dimension \(dimension): \(largest) of the bound")
        }
    }

    /// `near` rows that are one vector scaled by 1 − i·10⁻⁵, scattered among 3,000 random rows, and
    /// queried with that vector: their float32 scores are ordered by i, 10⁻⁵ apart, while bfloat16
    /// cannot tell most of them apart. Below the 52 candidates a query keeps for k = 10, the rescoring
    /// sorts them out; with 400 of them the first pass cannot prove its candidates complete and the
    /// query is searched again in float32. Either way the hits are the float32 ones.
    @Test(
        "near ties: hits equal float32's, rescanned only when the bound leaves too many rows",
        arguments: [20, 45, 400]
    )
    func nearTiesAreExact(near: Int) {
        var random = SeededVectors(state: UInt64(near))
        let base = random.unitVector(384)
        var slots = (0..<3_000).map { _ in random.unitVector(384) }
        var positions: [Int] = []
        for i in 0..<near {
            let position = Int(random.next().magnitude * Float(slots.count))
            slots.insert(base.map { $0 * (1 - Float(i) * 1e-5) }, at: position)
            positions = positions.map { $0 >= position ? $0 + 1 : $0 } + [position]
        }
        let matrix = VectorMatrix(dimension: 384, storage: slots.flatMap { $0 })
        let expected = Array(positions.prefix(10))
        // 48 queries: enough work for two parts of rows on two threads, merged before the proof.
        let queries = [[Float]](repeating: base, count: 48)
        for threads in [1, 2] {
            let result = ExactSearch.batch(
                queries: queries,
                in: matrix,
                k: 10,
                threads: threads,
                products: .bfloat16
            )
            for hits in result.hits { #expect(hits.map(\.row) == expected, "near \(near) threads \(threads)") }
            #expect(result.rescanned == (near > 52 ? queries.count : 0), "near \(near) threads \(threads)")
        }
    }

    @Test("a NaN or a number past 10³⁰ leaves no bound: the batch takes float32 products, with their hits")
    func unboundedNumbersTakeFloat32() {
        var random = SeededVectors(state: 5)
        var matrix = VectorMatrix(dimension: 32)
        for _ in 0..<300 { matrix.append(random.unitVector(32)) }
        var broken = random.unitVector(32)
        broken[3] = .nan
        matrix.append(broken)
        #expect(matrix.normBound.isNaN)
        let queries = (0..<4).map { _ in random.unitVector(32) }
        let result = ExactSearch.batch(queries: queries, in: matrix, k: 5, products: .bfloat16)
        #expect(result.rescanned == 0)
        for (query, hits) in zip(queries, result.hits) {
            #expect(hits.map(\.row) == ExactSearch.topK(query: query, in: matrix, k: 5).map(\.row))
        }
        // float32's largest number rounds to infinity in bfloat16, and infinity × 0 is NaN: in a first
        // pass the last row would score NaN and be left out, where in float32 it scores 0, the best.
        // (k = 10 keeps all 51 rows as candidates, so no bound would be asked.)
        var huge = VectorMatrix(dimension: 4)
        for row in 0..<50 { huge.append([-Float(row + 1), 1, 0, 0]) }
        huge.append([0, 0, .greatestFiniteMagnitude, 0])
        #expect(hg_float_from_bf16(hg_bf16_from_float(.greatestFiniteMagnitude)).isInfinite)
        let hits = ExactSearch.batch(queries: [[1, 0, 0, 0]], in: huge, k: 10, products: .bfloat16)
        #expect(hits.hits[0].map(\.row) == [50] + Array(0..<9))
    }

    /// The vector build of the largest row norm against the portable one: every tail past the 16- and
    /// 4-wide steps, and a NaN row.
    @Test(arguments: [1, 3, 4, 15, 16, 17, 37, 384])
    func largestNormMatchesPortable(dimension: Int) {
        var random = SeededVectors(state: UInt64(dimension) &+ 101)
        var values = (0..<(50 * dimension)).map { _ in random.next() * 3 }
        let fast = hg_largest_norm(values, 50, dimension)
        let portable = hg_largest_norm_portable(values, 50, dimension)
        #expect(abs(fast - portable) <= 1e-12 * portable, "dimension \(dimension)")
        let direct = (0..<50).map { row in
            (0..<dimension).reduce(0.0) {
                $0 + Double(values[row * dimension + $1]) * Double(values[row * dimension + $1])
            }
            .squareRoot()
        }.max()!
        #expect(abs(fast - direct) <= 1e-12 * direct)
        values[17 * dimension + dimension / 2] = .nan
        #expect(hg_largest_norm(values, 50, dimension).isNaN && hg_largest_norm_portable(values, 50, dimension).isNaN)
    }

    @Test("the norm bound follows appends and removals")
    func normBoundFollowsTheRows() {
        var matrix = VectorMatrix(dimension: 2, storage: [3, 4, 0, 1])
        #expect(matrix.normBound == 5)
        matrix.append([6, 8])
        #expect(matrix.normBound == 10)
        matrix.append([1, 0])
        #expect(matrix.normBound == 10)
        matrix.removeRows([2])
        #expect(matrix.normBound == 5)
        #expect(VectorMatrix(dimension: 3).normBound == 0)
    }
}
