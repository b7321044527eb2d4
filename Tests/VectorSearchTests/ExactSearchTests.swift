import CKernels
import Dispatch
import Synchronization
import Testing
import VectorSearch

/// Deterministic pseudo-random unit vectors (SplitMix64), so that failures reproduce.
struct SeededVectors {
    var state: UInt64

    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24) * 2 - 1
    }

    mutating func unitVector(_ dimension: Int) -> [Float] {
        var vector = (0..<dimension).map { _ in next() }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for index in vector.indices { vector[index] /= norm }
        return vector
    }
}

@Suite struct ExactSearchTests {
    @Test(
        "single-query top-k equals a naive Swift loop on random data",
        arguments: [(1, 7), (384, 10), (384, 1), (33, 50)]
    )
    func singleQueryMatchesNaive(dimension: Int, k: Int) {
        var random = SeededVectors(state: UInt64(dimension * 1000 + k))
        var matrix = VectorMatrix(dimension: dimension)
        for _ in 0..<1_000 { matrix.append(random.unitVector(dimension)) }
        for _ in 0..<20 {
            let query = random.unitVector(dimension)
            let fast = ExactSearch.topK(query: query, in: matrix, k: k)
            let slow = ExactSearch.naiveTopK(query: query, in: matrix, k: k)
            #expect(fast.map(\.row) == slow.map(\.row))
            for (a, b) in zip(fast, slow) { #expect(abs(a.score - b.score) < 1e-4) }
        }
    }

    @Test("a filter is applied before top-k: k allowed rows come back whenever they exist")
    func filterBeforeTopK() {
        var random = SeededVectors(state: 42)
        var matrix = VectorMatrix(dimension: 16)
        for _ in 0..<500 { matrix.append(random.unitVector(16)) }
        let query = random.unitVector(16)
        let hits = ExactSearch.topK(query: query, in: matrix, k: 10) { $0 % 50 == 0 }
        #expect(hits.count == 10)
        #expect(hits.allSatisfy { $0.row % 50 == 0 })
        let expected = ExactSearch.naiveTopK(query: query, in: matrix, k: 500).filter { $0.row % 50 == 0 }
        #expect(hits.map(\.row) == expected.map(\.row))
    }

    @Test("an empty matrix, k = 0 and k larger than the matrix")
    func edgeCases() {
        let empty = VectorMatrix(dimension: 4)
        #expect(ExactSearch.topK(query: [1, 0, 0, 0], in: empty, k: 3).isEmpty)
        let matrix = VectorMatrix(dimension: 2, storage: [1, 0, 0, 1, 0.6, 0.8])
        #expect(ExactSearch.topK(query: [1, 0], in: matrix, k: 0).isEmpty)
        #expect(ExactSearch.topK(query: [1, 0], in: matrix, k: 10).map(\.row) == [0, 2, 1])
    }

    @Test("removing rows keeps the others in order")
    func removeRows() {
        var matrix = VectorMatrix(dimension: 2, storage: [0, 0, 1, 1, 2, 2, 3, 3])
        matrix.removeRows([1, 2])
        #expect(matrix.storage == [0, 0, 3, 3])
        #expect(matrix.count == 2)
    }
}

@Suite struct BatchAndQuantizedSearchTests {
    static func randomMatrix(rows: Int, dimension: Int, seed: UInt64) -> (VectorMatrix, SeededVectors) {
        var random = SeededVectors(state: seed)
        var matrix = VectorMatrix(dimension: dimension)
        for _ in 0..<rows { matrix.append(random.unitVector(dimension)) }
        return (matrix, random)
    }

    @Test(
        "batched search equals the single-query search, across tile boundaries, with either products",
        arguments: [1, 7, 5_000],
        [ExactSearch.BatchProducts.float32, .bfloat16]
    )
    func batchEqualsSingle(tileRows: Int, products: ExactSearch.BatchProducts) {
        var (matrix, random) = Self.randomMatrix(rows: 3_001, dimension: 64, seed: 7)
        let queries = (0..<9).map { _ in random.unitVector(64) }
        let batched = ExactSearch.topK(queries: queries, in: matrix, k: 10, tileRows: tileRows, products: products)
        for (query, hits) in zip(queries, batched) {
            let single = ExactSearch.topK(query: query, in: matrix, k: 10)
            #expect(hits.map(\.row) == single.map(\.row))
        }
        let filtered = ExactSearch.topK(
            queries: queries,
            in: matrix,
            k: 5,
            allowed: { $0 % 3 == 0 },
            tileRows: tileRows,
            products: products
        )
        for (query, hits) in zip(queries, filtered) {
            let single = ExactSearch.topK(query: query, in: matrix, k: 5) { $0 % 3 == 0 }
            #expect(hits.map(\.row) == single.map(\.row))
        }
    }

    @Test("a matrix of 8 MiB or more is copied whole into memory advised for huge pages")
    func hugePageCopyKeepsEveryNumber() {
        // 2,100,000 numbers, past the 2,097,152 of the threshold, and a length that is not a multiple
        // of 2 MB.
        let values = (0..<2_100_000).map { Float($0 % 9_973) * 0.5 - 7 }
        let matrix = VectorMatrix(dimension: 100, storage: values)
        #expect(matrix.count == 21_000)
        #expect(matrix.storage == values)
        #expect(Array(matrix.row(20_999)) == Array(values[2_099_900...]))
    }

    @Test("the exact scan split over threads returns what one thread returns, and a filter still applies")
    func exactThreadsAgree() {
        // 20,001 rows: two parts of uneven length, neither a multiple of the 512-row block.
        var (matrix, random) = Self.randomMatrix(rows: 20_001, dimension: 384, seed: 23)
        for _ in 0..<5 {
            let query = random.unitVector(384)
            let naive = ExactSearch.naiveTopK(query: query, in: matrix, k: 25)
            let one = ExactSearch.topK(query: query, in: matrix, k: 25)
            let two = ExactSearch.topK(query: query, in: matrix, k: 25, threads: 2)
            #expect(one.map(\.row) == naive.map(\.row))
            #expect(two.map(\.row) == one.map(\.row))
            #expect(two.map(\.score) == one.map(\.score))
            let odd = ExactSearch.topK(query: query, in: matrix, k: 25, allowed: { $0 % 2 == 1 }, threads: 2)
            let oddNaive = naive.filter { $0.row % 2 == 1 }
            #expect(odd.count == 25 && odd.allSatisfy { $0.row % 2 == 1 })
            #expect(Array(odd.prefix(oddNaive.count)).map(\.row) == oddNaive.map(\.row))
        }
    }

    @Test(
        "a batch fed on two threads returns what the single-query search returns",
        arguments: [ExactSearch.BatchProducts.float32, .bfloat16]
    )
    func batchThreadsAgree(products: ExactSearch.BatchProducts) {
        var (matrix, random) = Self.randomMatrix(rows: 5_003, dimension: 48, seed: 29)
        // 40 queries. float32: two groups of 20, each over 3 tiles of 2,048 rows and a short last tile.
        // bfloat16: two parts of rows, each with its own heaps, merged before the rescoring.
        let queries = (0..<40).map { _ in random.unitVector(48) }
        let batched = ExactSearch.topK(queries: queries, in: matrix, k: 12, threads: 2, products: products)
        for (query, hits) in zip(queries, batched) {
            let single = ExactSearch.topK(query: query, in: matrix, k: 12)
            #expect(hits.map(\.row) == single.map(\.row))
        }
    }

    /// Random unit vectors are the hard case: their scores crowd around 0, so quantization errors
    /// reorder many rows. k = 240 is the context's pool, which keeps 224 candidates past k, not 8 × k.
    @Test("int8 scan with float32 rescoring keeps recall@k ≥ 0.99 against exact", arguments: [10, 240])
    func quantizedRecall(k: Int) {
        var (matrix, random) = Self.randomMatrix(rows: 5_000, dimension: 384, seed: 11)
        let quantized = QuantizedMatrix(matrix)
        #expect(quantized.codes.count == matrix.storage.count)
        var found = 0
        let queries = 50
        for _ in 0..<queries {
            let query = random.unitVector(384)
            let exact = Set(ExactSearch.topK(query: query, in: matrix, k: k).map(\.row))
            let approximate = QuantizedSearch.topK(query: query, quantized: quantized, exact: matrix, k: k)
            #expect(approximate.count == k)
            found += approximate.filter { exact.contains($0.row) }.count
        }
        #expect(Double(found) / Double(queries * k) >= 0.99)
    }

    /// A split scan's threads rescore their own parts' candidates, more than one thread rescores; the
    /// hits must still be the ones one thread finds, scores included. With one candidate per wanted
    /// row, where the rescoring changes most hits, a thread that kept a candidate from outside the
    /// merged heap would return better hits than one thread does. The last case has 2 parts of 2,048
    /// rows, each kept whole.
    @Test(
        "the int8 scan split over threads returns what one thread returns, and a filter still applies",
        arguments: [(10_000, 10, 1), (10_000, 10, 2), (10_000, 10, 8), (10_000, 100, 2), (4_096, 3_000, 2)]
    )
    func quantizedThreadsAgree(rows: Int, k: Int, rescoreFactor: Int) {
        var (matrix, random) = Self.randomMatrix(rows: rows, dimension: 384, seed: 21)
        let quantized = QuantizedMatrix(matrix)
        var missed = 0
        for _ in 0..<5 {
            let query = random.unitVector(384)
            func search(threads: Int, allowed: ((Int) -> Bool)? = nil) -> [ScoredRow] {
                QuantizedSearch.topK(
                    query: query,
                    quantized: quantized,
                    exact: matrix,
                    k: k,
                    rescoreFactor: rescoreFactor,
                    allowed: allowed,
                    threads: threads
                )
            }
            let one = search(threads: 1)
            #expect(one.count == k)
            #expect(search(threads: 2) == one)
            let even = search(threads: 2, allowed: { $0 % 2 == 0 })
            #expect(even.count == min(k, rows / 2) && even.allSatisfy { $0.row % 2 == 0 })
            let exact = Set(ExactSearch.topK(query: query, in: matrix, k: k).map(\.row))
            missed += one.filter { !exact.contains($0.row) }.count
        }
        // One candidate per wanted row misses some exact hits here, so that case can tell a thread
        // that rescored too many candidates from one that did not.
        if rescoreFactor == 1 { #expect(missed > 0) }
    }

    /// The scan team is held by one scan at a time: scans that find it held run on their own thread.
    /// Eight callers at once, each asking for two threads, get what one thread returns, exact and int8,
    /// whether they got the team or not.
    @Test("scans that contend for the scan team return what one thread returns")
    func contendedScansAgree() {
        let (matrix, seeded) = Self.randomMatrix(rows: 9_001, dimension: 96, seed: 31)
        var random = seeded
        let quantized = QuantizedMatrix(matrix)
        let queries = (0..<8).map { _ in random.unitVector(96) }
        let exact = queries.map { ExactSearch.topK(query: $0, in: matrix, k: 15) }
        let int8 = queries.map { QuantizedSearch.topK(query: $0, quantized: quantized, exact: matrix, k: 15) }
        let results = ParallelResults(count: queries.count * 2)
        DispatchQueue.concurrentPerform(iterations: queries.count * 2) { index in
            let query = queries[index / 2]
            for _ in 0..<20 {
                let hits =
                    index % 2 == 0
                    ? ExactSearch.topK(query: query, in: matrix, k: 15, threads: 2)
                    : QuantizedSearch.topK(query: query, quantized: quantized, exact: matrix, k: 15, threads: 2)
                results.store(hits, at: index)
            }
        }
        for index in 0..<queries.count * 2 {
            let expected = index % 2 == 0 ? exact[index / 2] : int8[index / 2]
            #expect(results.value(at: index) == expected, "caller \(index)")
        }
    }

    /// Rescoring split over the team's threads scores each row as one thread does, for lengths around
    /// the 64 rows where the split begins and parts of uneven length.
    @Test("the rescoring on two threads returns what one thread returns", arguments: [1, 63, 64, 65, 80, 301])
    func rescoreThreadsAgree(candidates: Int) {
        var (matrix, random) = Self.randomMatrix(rows: 2_000, dimension: 384, seed: 37)
        let query = random.unitVector(384)
        let rows = (0..<candidates).map { ($0 * 7_919) % matrix.count }
        // Every candidate kept, so that every score is compared.
        let one = ExactSearch.rescore(rows, query: query, in: matrix, k: candidates)
        let two = ExactSearch.rescore(rows, query: query, in: matrix, k: candidates, threads: 2)
        #expect(one.count == candidates)
        #expect(two == one)
        let candidateRows = Set(rows)
        let naive = ExactSearch.naiveTopK(query: query, in: matrix, k: matrix.count).filter {
            candidateRows.contains($0.row)
        }
        #expect(one.prefix(10).map(\.row) == naive.prefix(10).map(\.row))
    }

    @Test("quantization reconstructs each number within half a step")
    func quantizationError() {
        let (matrix, _) = Self.randomMatrix(rows: 200, dimension: 16, seed: 3)
        let quantized = QuantizedMatrix(matrix)
        for row in 0..<matrix.count {
            for j in 0..<16 {
                let decoded = quantized.minimum[j] + quantized.scale[j] * Float(quantized.codes[row * 16 + j])
                #expect(abs(decoded - matrix.storage[row * 16 + j]) <= quantized.scale[j] / 2 + 1e-6)
            }
        }
    }
}

/// The int8 scoring kernel (AVX2 when available, integer sums of weights rounded to −64…64) against
/// its portable build and a direct sum.
@Suite struct ByteScoreKernelTests {
    @Test(arguments: [5_000, 1_536, 700, 384, 37, 8, 1])
    func scoresMatch(dimension: Int) {
        let rows = 21
        var state: UInt64 = UInt64(dimension)
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let codes = (0..<(rows * dimension)).map { _ in UInt8(truncatingIfNeeded: next()) }
        let weights = (0..<dimension).map { _ in Float(Int(next() % 2001) - 1000) / 1000 }
        var fast = [Float](repeating: 0, count: rows)
        var portable = [Float](repeating: 0, count: rows)
        hg_u8_scores(codes, rows, dimension, weights, 0.25, &fast)
        hg_u8_scores_portable(codes, rows, dimension, weights, 0.25, &portable)
        // Weights prepared once and used for two blocks of rows give the same scores.
        let prepared = UnsafeMutablePointer<hg_u8_query>.allocate(capacity: 1)
        defer { prepared.deallocate() }
        hg_u8_prepare(weights, dimension, prepared)
        var blocks = [Float](repeating: 0, count: rows)
        blocks.withUnsafeMutableBufferPointer { blocks in
            hg_u8_scores_prepared(codes, 8, dimension, weights, prepared, 0.25, blocks.baseAddress)
            hg_u8_scores_prepared(
                codes.withUnsafeBufferPointer { $0.baseAddress! + 8 * dimension },
                rows - 8,
                dimension,
                weights,
                prepared,
                0.25,
                blocks.baseAddress! + 8
            )
        }
        #expect(blocks == fast)
        // The kernel for codes in the caches (four rows at a time where AVX-512 VNNI runs) gives the
        // same scores, for 21 rows (a partial group of four) and every dimension's tails.
        prepared.pointee.cached = 1
        var cached = [Float](repeating: 0, count: rows)
        hg_u8_scores_prepared(codes, rows, dimension, weights, prepared, 0.25, &cached)
        #expect(cached == fast)
        // The rounding bound the kernel documents: half a step of the integer weights times the sum of
        // the row's codes, the step being the largest weight over 64.
        let largest = Double(weights.map(abs).max() ?? 0)
        let step = largest / 64
        for row in 0..<rows {
            var direct: Double = 0.25
            var codeSum: Double = 0
            var magnitude: Double = 0
            for j in 0..<dimension {
                let code = Double(codes[row * dimension + j])
                direct += Double(weights[j]) * code
                codeSum += code
                magnitude += abs(Double(weights[j])) * code
            }
            #expect(abs(Double(fast[row]) - direct) <= step / 2 * codeSum + 1e-6 * magnitude, "row \(row)")
            #expect(abs(Double(portable[row]) - direct) <= 1e-6 * magnitude + 1e-6, "row \(row)")
        }
    }
}

/// The float32 inner-product kernel of the exact scan (AVX2 when available) against its portable
/// build and a double-precision sum, at dimensions with and without a tail past the 32- and 8-wide
/// steps.
@Suite struct InnerProductKernelTests {
    @Test(arguments: [1_536, 384, 100, 37, 8, 1])
    func scoresMatch(dimension: Int) {
        let rows = 13
        var random = SeededVectors(state: UInt64(dimension) &* 31)
        let matrix = (0..<(rows * dimension)).map { _ in random.next() }
        let query = (0..<dimension).map { _ in random.next() }
        var fast = [Float](repeating: .nan, count: rows)
        var portable = [Float](repeating: .nan, count: rows)
        hg_inner_products(matrix, rows, dimension, query, &fast)
        hg_inner_products_portable(matrix, rows, dimension, query, &portable)
        for row in 0..<rows {
            var direct: Double = 0
            var magnitude: Double = 0
            for j in 0..<dimension {
                let product = Double(matrix[row * dimension + j]) * Double(query[j])
                direct += product
                magnitude += abs(product)
            }
            // Float32 sums in any order stay within d · 2⁻²⁴ of the sum of magnitudes.
            let bound = Double(dimension) * 6e-8 * magnitude + 1e-7
            #expect(abs(Double(fast[row]) - direct) <= bound, "row \(row)")
            #expect(abs(Double(portable[row]) - direct) <= bound, "row \(row)")
        }
    }
}

/// The heap's threshold filter: the first value at or above the threshold, found 32 at a time, in
/// every position around the 8- and 32-wide steps, against its portable build.
@Suite struct ThresholdFilterKernelTests {
    @Test(arguments: [0, 1, 7, 8, 31, 32, 33, 40, 47, 64, 100])
    func firstAtLeast(count: Int) {
        var values = [Float](repeating: -1, count: count)
        #expect(hg_first_at_least(values, count, 0) == count)
        for position in 0..<count {
            values[position] = 0.5
            #expect(hg_first_at_least(values, count, 0.5) == position, "at \(position)")
            #expect(hg_first_at_least_portable(values, count, 0.5) == position, "at \(position)")
            #expect(hg_first_at_least(values, count, 0.75) == count)
            values[position] = -1
        }
        values.append(.nan)
        #expect(hg_first_at_least(values, count + 1, -2) == (count > 0 ? 0 : 1))
        #expect(hg_first_at_least(values, count + 1, 0) == count + 1, "NaN is never at or above")
    }

    /// The C heap fed block by block in row order keeps exactly the best `keep` entries, and its sort
    /// returns them in order (higher score first, the lower row first among equal scores), NaNs
    /// never: values on a few levels (ties everywhere, as quantized scores have), blocks large enough
    /// for the block bound and small ones, and heaps that fill in the middle of a block.
    @Test(arguments: [1, 10, 80])
    func heapKeepsTheBestInRowOrder(keep: Int) {
        var random = SeededVectors(state: UInt64(keep))
        for (count, blockRows) in [(1, 512), (79, 512), (81, 64), (700, 100), (4_096, 4_096), (10_000, 4_096)] {
            for levels in [3, 50, 100_000] {
                let values = (0..<count).map { index -> Float in
                    index % 97 == 13 ? .nan : (Float(Int((random.next() + 1) * Float(levels) / 2)) / Float(levels))
                }
                var scores = [Float](repeating: 0, count: keep)
                var rows = [Int](repeating: 0, count: keep)
                var filled = 0
                var first = 0
                while first < count {
                    let size = min(blockRows, count - first)
                    filled = values.withUnsafeBufferPointer { block in
                        hg_heap_offer(&scores, &rows, filled, keep, block.baseAddress! + first, size, first)
                    }
                    first += size
                }
                // Sorted by the heap's own sort, best first.
                hg_heap_sort(&scores, &rows, filled)
                let kept = (0..<filled).map { ScoredRow(row: rows[$0], score: scores[$0]) }
                let expected = values.enumerated().filter { !$0.element.isNaN }
                    .map { ScoredRow(row: $0.offset, score: $0.element) }
                    .sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
                    .prefix(keep)
                #expect(kept == Array(expected), "count \(count) blocks \(blockRows) levels \(levels)")
            }
        }
    }

    /// Exact ties between rows (a matrix of a few repeated vectors): the scan's order among equal
    /// scores is the lower row first, as the naive sort's, on one thread and split over two.
    @Test("rows with equal scores come back lower row first, on one thread or two")
    func tiesKeepRowOrder() {
        var random = SeededVectors(state: 7)
        let distinct = (0..<7).map { _ in random.unitVector(32) }
        var matrix = VectorMatrix(dimension: 32)
        for row in 0..<20_000 { matrix.append(distinct[(row * 5) % 7]) }
        let query = random.unitVector(32)
        let expected = ExactSearch.naiveTopK(query: query, in: matrix, k: 50)
        for threads in [1, 2] {
            let found = ExactSearch.topK(query: query, in: matrix, k: 50, threads: threads)
            #expect(found.map(\.row) == expected.map(\.row), "threads \(threads)")
        }
    }

    /// The vector count and range against the scalar ones: every tail length, NaNs left out.
    @Test(arguments: [0, 1, 7, 8, 9, 31, 32, 33, 100, 4_096])
    func countAndRangeMatchPortable(count: Int) {
        var random = SeededVectors(state: UInt64(count) + 3)
        let values = (0..<count).map { index -> Float in index % 11 == 5 ? .nan : random.next() }
        for threshold: Float in [-2, -0.5, 0, 0.25, 2, -.infinity] {
            #expect(
                hg_count_at_least(values, count, threshold) == hg_count_at_least_portable(values, count, threshold),
                "threshold \(threshold)"
            )
        }
        #expect(hg_count_at_least(values, count, -.infinity) == values.filter { !$0.isNaN }.count)
        var (low, high, portableLow, portableHigh): (Float, Float, Float, Float) = (0, 0, 0, 0)
        hg_value_range(values, count, &low, &high)
        hg_value_range_portable(values, count, &portableLow, &portableHigh)
        #expect(low == portableLow && high == portableHigh)
        let numbers = values.filter { !$0.isNaN }
        #expect(low == (numbers.min() ?? .infinity) && high == (numbers.max() ?? -.infinity))
    }
}

/// Hits stored by concurrent callers, one slot each.
final class ParallelResults: Sendable {
    private let slots: Mutex<[[ScoredRow]]>

    init(count: Int) { slots = Mutex(Array(repeating: [], count: count)) }

    func store(_ hits: [ScoredRow], at index: Int) { slots.withLock { $0[index] = hits } }

    func value(at index: Int) -> [ScoredRow] { slots.withLock { $0[index] } }
}
