import CKernels
import Foundation
import Synchronization
import TestSupport
import Testing

/// The dispatched kernels (AVX2+FMA when the processor has them) against their portable builds,
/// which use libm's `expf` and `erff`, on seeded random inputs with lengths that leave tails.
@Suite struct KernelTests {
    static func values(_ count: Int, in range: ClosedRange<Float>, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float.random(in: range, using: &generator) }
    }

    @Test(arguments: [1, 7, 8, 13, 200, 256])
    func softmaxMatchesLibm(width: Int) {
        let rows = 5
        var fast = Self.values(rows * width, in: -30...30, seed: UInt64(width))
        var reference = fast
        hg_softmax_rows(&fast, rows, width)
        hg_softmax_rows_portable(&reference, rows, width)
        for index in fast.indices {
            #expect(abs(fast[index] - reference[index]) <= 2e-6 * max(reference[index], 1e-6), "index \(index)")
        }
        for row in 0..<rows {
            let sum = fast[(row * width)..<((row + 1) * width)].reduce(0, +)
            #expect(abs(sum - 1) < 1e-5)
        }
    }

    @Test func geluMatchesErf() {
        var inputs = Self.values(4_099, in: -12...12, seed: 7)
        inputs += [0, -0.0, 1e-30, -1e-30, 0.5, -0.5, 3, -3, 40, -40, 100, -100]
        var fast = inputs
        var reference = inputs
        hg_gelu(&fast, fast.count)
        hg_gelu_portable(&reference, reference.count)
        for index in inputs.indices {
            // Abramowitz & Stegun 7.1.26 is within 1.5e-7 of erf; GELU scales that by x/2.
            let tolerance = 2e-7 * max(1, abs(inputs[index])) + 1e-7
            #expect(abs(fast[index] - reference[index]) <= tolerance, "x = \(inputs[index])")
        }
        let finite = fast.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test(arguments: [384, 13])
    func layerNormMatchesPortable(width: Int) {
        let rows = 9
        let weight = Self.values(width, in: 0.5...1.5, seed: 3)
        let bias = Self.values(width, in: -0.2...0.2, seed: 4)
        var fast = Self.values(rows * width, in: -4...6, seed: 5)
        var reference = fast
        hg_layer_norm(&fast, rows, width, weight, bias, 1e-12)
        hg_layer_norm_portable(&reference, rows, width, weight, bias, 1e-12)
        for index in fast.indices {
            #expect(abs(fast[index] - reference[index]) <= 1e-5, "index \(index)")
        }
    }

    /// Every row count up to 33 (passes of three rows, a last pass of two, a row alone), output
    /// widths that leave a partial block of four, and depths with and without a tail of eight, with
    /// strides wider than the rows; rows past `m` and columns past `n` stay untouched.
    @Test(arguments: [1, 2, 3, 4, 5, 11, 14, 15, 16, 32, 33])
    func projectionMatchesPortable(rows m: Int) {
        for (n, k) in [(1, 8), (4, 13), (7, 40), (12, 384), (13, 1)] {
            let (ldx, ldw, ldy) = (k + 3, k + 1, n + 2)
            let x = Self.values((m + 1) * ldx, in: -1...1, seed: UInt64(m * 1_000 + n))
            let w = Self.values((n + 1) * ldw, in: -1...1, seed: UInt64(k * 7 + n))
            var fast = Self.values((m + 1) * ldy, in: -1...1, seed: 11)
            var reference = fast
            hg_gemm_nt_accumulate(m, n, k, x, ldx, w, ldw, &fast, ldy)
            hg_gemm_nt_accumulate_portable(m, n, k, x, ldx, w, ldw, &reference, ldy)
            for index in fast.indices {
                #expect(abs(fast[index] - reference[index]) <= 1e-4, "m \(m) n \(n) k \(k) index \(index)")
            }
        }
    }

    /// The encoder's own shapes (depth 384 or 1536, rows contiguous) take the fixed-depth kernels:
    /// every row count to 33 and output widths with a partial block of four.
    @Test(arguments: [1, 2, 3, 4, 5, 8, 9, 15, 16, 28, 33])
    func fixedDepthProjectionMatchesPortable(rows m: Int) {
        for (n, k) in [(12, 384), (7, 384), (64, 1_536), (6, 1_536)] {
            let x = Self.values(m * k, in: -1...1, seed: UInt64(m * 31 + k))
            let w = Self.values(n * k, in: -1...1, seed: UInt64(n * 17 + k))
            var fast = Self.values(m * n, in: -1...1, seed: 3)
            var reference = fast
            hg_gemm_nt_accumulate(m, n, k, x, k, w, k, &fast, n)
            hg_gemm_nt_accumulate_portable(m, n, k, x, k, w, k, &reference, n)
            for index in fast.indices {
                #expect(abs(fast[index] - reference[index]) <= 1e-3, "m \(m) n \(n) k \(k) index \(index)")
            }
        }
    }

    /// A team's product, split by output columns across the caller and its helpers, equals the
    /// product on one thread bit for bit (each column is summed the same way), over many steps of one
    /// session and across sessions: back to back (the helpers still spinning), and 5 ms apart (asleep,
    /// woken by the next session); a second caller cannot begin while the team is held.
    @Test(arguments: [1, 3])
    func teamProductEqualsOneThread(helpers: Int) throws {
        let team = try #require(hg_team_create(helpers))
        defer { hg_team_destroy(team) }
        #expect(hg_team_size(team) == helpers + 1)
        for session in 0..<5 {
            if session >= 3 { Thread.sleep(forTimeInterval: 0.005) }
            #expect(hg_team_begin(team) == 1)
            #expect(hg_team_begin(team) == 0, "a held team refuses a second caller")
            for (m, n, k) in [(9, 1_152, 384), (1, 384, 1_536), (33, 64, 40), (5, 130, 13), (2, 7, 8)] {
                let x = Self.values(m * k, in: -1...1, seed: UInt64(session * 100 + m))
                let w = Self.values(n * k, in: -1...1, seed: UInt64(n + k))
                var shared = Self.values(m * n, in: -1...1, seed: 5)
                var alone = shared
                hg_team_gemm_nt_accumulate(team, m, n, k, x, k, w, k, &shared, n)
                hg_gemm_nt_accumulate(m, n, k, x, k, w, k, &alone, n)
                #expect(shared == alone, "m \(m) n \(n) k \(k) session \(session)")
            }
            hg_team_end(team)
        }
    }

    /// A claimed step (`hg_team_run_claimed`) runs every item of its work exactly once, whichever
    /// threads take part: helpers spinning (steps back to back) or asleep (5 ms apart), which then
    /// arrive after the caller has claimed everything and must not run the task at all.
    @Test(arguments: [1, 3])
    func claimedStepRunsEveryItemOnce(helpers: Int) throws {
        let team = try #require(hg_team_create(helpers))
        defer { hg_team_destroy(team) }
        let work = ClaimedWork(items: 2_000)
        for session in 0..<6 {
            if session >= 3 { Thread.sleep(forTimeInterval: 0.005) }
            #expect(hg_team_begin(team) == 1)
            for _ in 0..<4 {
                work.reset()
                let context = Unmanaged.passUnretained(work).toOpaque()
                hg_team_run_claimed(
                    team,
                    { context, _, _ in Unmanaged<ClaimedWork>.fromOpaque(context!).takeUnretainedValue().claimAll() },
                    context,
                    helpers + 1
                )
                #expect(work.counts.allSatisfy { $0 == 1 }, "session \(session)")
            }
            hg_team_end(team)
        }
    }

    /// Rounding to bfloat16 keeps the top 16 bits, to nearest with ties to even; infinities and signed
    /// zeros pass through and a NaN stays a NaN (the quiet bit set), never an infinity.
    @Test func bfloat16Rounding() {
        func bits(_ value: Float) -> UInt32 { value.bitPattern }
        #expect(hg_bf16_from_float(1) == 0x3F80)
        #expect(hg_bf16_from_float(-2) == 0xC000)
        #expect(hg_bf16_from_float(0) == 0 && hg_bf16_from_float(-0.0) == 0x8000)
        #expect(hg_bf16_from_float(.infinity) == 0x7F80 && hg_bf16_from_float(-.infinity) == 0xFF80)
        // 1 + 2⁻⁸ is halfway between 1 and 1 + 2⁻⁷: ties go to the even 1; 1 + 3·2⁻⁸ up to 1 + 2⁻⁶.
        #expect(hg_bf16_from_float(Float(bitPattern: 0x3F80_8000)) == 0x3F80)
        #expect(hg_bf16_from_float(Float(bitPattern: 0x3F81_8000)) == 0x3F82)
        #expect(hg_bf16_from_float(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        // The largest finite float rounds up to infinity, as IEEE rounding does.
        #expect(hg_bf16_from_float(.greatestFiniteMagnitude) == 0x7F80)
        let nan = hg_bf16_from_float(Float(bitPattern: 0x7F80_0001))
        #expect(hg_float_from_bf16(nan).isNaN)
        for value in Self.values(1_000, in: -100...100, seed: 21) {
            let rounded = hg_float_from_bf16(hg_bf16_from_float(value))
            #expect(abs(rounded - value) <= abs(value) / 256, "\(value) → \(rounded)")
            #expect(hg_bf16_from_float(rounded) == UInt16(bits(rounded) >> 16), "exact values are kept")
        }
    }

    /// The AVX-512 BF16 conversion of rows equals the portable one word for word, with odd depths,
    /// tails under 32 and strides wider than the rows.
    @Test(.enabled(if: hg_bf16_supported() != 0, "needs a processor with AVX-512 BF16"))
    func bfloat16ConversionMatchesPortable() {
        for (m, k) in [(1, 1), (3, 31), (2, 32), (5, 33), (4, 384), (2, 1_537)] {
            let ldx = k + 5
            let x = Self.values(m * ldx, in: -3...3, seed: UInt64(m * 10 + k))
            let pairs = hg_bf16_pairs(k)
            var fast = [UInt32](repeating: 0xDEAD_BEEF, count: m * pairs)
            var reference = fast
            hg_bf16_convert_rows(m, k, x, ldx, &fast)
            hg_bf16_convert_rows_portable(m, k, x, ldx, &reference)
            #expect(fast == reference, "m \(m) k \(k)")
        }
    }

    /// The AVX-512 BF16 packing (16 rows rounded at once, then transposed) equals the portable one word
    /// for word: partial groups of 16 and panels of 48, depths under, at and over 32, strides wider than
    /// the rows.
    @Test(.enabled(if: hg_bf16_supported() != 0, "needs a processor with AVX-512 BF16"))
    func bfloat16PackingMatchesPortable() {
        for (n, k) in [(1, 1), (15, 31), (16, 32), (17, 33), (47, 64), (48, 384), (49, 385), (100, 1_536)] {
            let ldw = k + 3
            let w = Self.values(n * ldw, in: -3...3, seed: UInt64(n * 100 + k))
            var fast = [UInt32](repeating: 0xDEAD_BEEF, count: hg_bf16_packed_words(n, k))
            var reference = fast
            hg_bf16_pack(n, k, w, ldw, &fast)
            hg_bf16_pack_portable(n, k, w, ldw, &reference)
            #expect(fast == reference, "n \(n) k \(k)")
        }
    }

    /// Random x (m × k) and w (n × k) in −1…1, w packed and x converted (by the portable conversion,
    /// which the test above pins to the vector one).
    static func bfloat16Operands(
        m: Int,
        n: Int,
        k: Int,
        seed: UInt64
    ) -> (x: [Float], w: [Float], packed: [UInt32], converted: [UInt32]) {
        let x = values(m * k, in: -1...1, seed: seed)
        let w = values(n * k, in: -1...1, seed: seed &+ 7_919)
        var packed = [UInt32](repeating: 0, count: hg_bf16_packed_words(n, k))
        hg_bf16_pack(n, k, w, k, &packed)
        var converted = [UInt32](repeating: 0, count: m * hg_bf16_pairs(k))
        hg_bf16_convert_rows_portable(m, k, x, k, &converted)
        return (x, w, packed, converted)
    }

    /// The bfloat16 product (packed weights, converted rows) against the same sums in scalar code, and
    /// against the float32 product within bfloat16's rounding: every tile height (1–8 rows and more),
    /// partial panels of 48 columns, odd depths, the encoder's depths; columns past n stay untouched.
    @Test(arguments: [1, 2, 3, 5, 7, 8, 9, 16, 17, 33])
    func bfloat16ProductMatchesPortable(rows m: Int) {
        for (n, k) in [(1, 2), (48, 384), (50, 7), (100, 64), (1_152, 384), (40, 1_536)] {
            let ldy = n + 3
            let (x, w, packed, converted) = Self.bfloat16Operands(m: m, n: n, k: k, seed: UInt64(m * 1_000 + n))
            let start = Self.values(m * ldy, in: -1...1, seed: 9)
            var fast = start
            var reference = start
            var float32 = start
            hg_gemm_bf16_accumulate(m, n, k, converted, packed, &fast, ldy, 0, hg_bf16_panels(n))
            hg_gemm_bf16_accumulate_portable(m, n, k, converted, packed, &reference, ldy, 0, hg_bf16_panels(n))
            hg_gemm_nt_accumulate_portable(m, n, k, x, k, w, k, &float32, ldy)
            for row in 0..<m {
                for column in 0..<ldy {
                    let index = row * ldy + column
                    if column >= n {
                        #expect(fast[index] == start[index], "m \(m) n \(n) k \(k): column \(column) written")
                        continue
                    }
                    #expect(abs(fast[index] - reference[index]) <= 1e-4, "m \(m) n \(n) k \(k) index \(index)")
                    // Each operand is off by at most 2⁻⁸ of itself (bfloat16 keeps 8 significant bits),
                    // so a sum of k products of terms in −1…1 is off by at most about k · 2⁻⁷. Random
                    // errors cancel, and the test asks for half of that.
                    let bound = Float(k) / 256
                    #expect(abs(fast[index] - float32[index]) <= bound, "m \(m) n \(n) k \(k) index \(index)")
                }
            }
        }
    }

    /// Split by panels across a team, the bfloat16 product equals the one-thread product bit for bit.
    @Test(arguments: [1, 3])
    func bfloat16TeamProductEqualsOneThread(helpers: Int) throws {
        let team = try #require(hg_team_create(helpers))
        defer { hg_team_destroy(team) }
        #expect(hg_team_begin(team) == 1)
        defer { hg_team_end(team) }
        for (m, n, k) in [(9, 1_152, 384), (1, 384, 1_536), (70, 1_536, 384), (5, 50, 13)] {
            let (_, _, packed, converted) = Self.bfloat16Operands(m: m, n: n, k: k, seed: UInt64(m + n))
            var shared = Self.values(m * n, in: -1...1, seed: 5)
            var alone = shared
            hg_team_gemm_bf16_accumulate(team, m, n, k, converted, packed, &shared, n)
            hg_gemm_bf16_accumulate(m, n, k, converted, packed, &alone, n, 0, hg_bf16_panels(n))
            #expect(shared == alone, "m \(m) n \(n) k \(k)")
        }
    }
}

/// Items claimed one by one from a shared counter by every thread of a claimed team step, each
/// counting the items it ran; a run is right when every item ran exactly once.
final class ClaimedWork: @unchecked Sendable {
    private let next = Atomic<Int>(0)
    private let runs: UnsafeMutablePointer<Int>
    private let items: Int

    init(items: Int) {
        self.items = items
        runs = .allocate(capacity: items)
        runs.initialize(repeating: 0, count: items)
    }

    deinit { runs.deallocate() }

    var counts: [Int] { Array(UnsafeBufferPointer(start: runs, count: items)) }

    func reset() {
        next.store(0, ordering: .relaxed)
        runs.update(repeating: 0, count: items)
    }

    /// Claims and runs items until none is left. Each item takes about a microsecond before it is
    /// counted, so that a caller that returned before its helpers finished would find items uncounted.
    func claimAll() {
        while true {
            let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard item < items else { return }
            var sum = UInt64(item)
            for step in 0..<1_000 { sum = sum &* 6_364_136_223_846_793_005 &+ UInt64(step) }
            runs[item] += sum == 42 ? 2 : 1
        }
    }
}
