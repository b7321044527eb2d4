import CKernels
import Synchronization

/// A bounded min-heap that keeps the `k` best scores seen (ties broken by the lower row index). The
/// scores and rows live in two arrays of `k` entries, kept by the C heap of `CKernels`
/// (`hg_heap_push`, `hg_heap_offer`), the worst kept entry first.
struct TopK {
    let k: Int
    private var scores: [Float]
    private var rows: [Int]
    private var count = 0

    init(k: Int) {
        self.k = max(0, k)
        scores = [Float](repeating: 0, count: self.k)
        rows = [Int](repeating: 0, count: self.k)
    }

    /// The kept rows, in heap order.
    var heap: [ScoredRow] { (0..<count).map { ScoredRow(row: rows[$0], score: scores[$0]) } }

    /// The worst kept row, or nil when none is kept.
    var worst: ScoredRow? { count > 0 ? ScoredRow(row: rows[0], score: scores[0]) : nil }

    /// Whether `a` ranks below `b`: lower score, or equal score and higher row.
    @inline(__always)
    static func worse(_ a: ScoredRow, _ b: ScoredRow) -> Bool {
        a.score < b.score || (a.score == b.score && a.row > b.row)
    }

    /// Whether `k` rows are kept: from then on, every row offered and not kept scored at most `threshold`.
    var isFull: Bool { count == k }

    /// The score a candidate must beat to enter, once the heap is full.
    @inline(__always)
    var threshold: Float { count < k ? -.infinity : scores[0] }

    mutating func insert(row: Int, score: Float) {
        let (k, filled) = (k, count)
        var updated = filled
        scores.withUnsafeMutableBufferPointer { scores in
            rows.withUnsafeMutableBufferPointer { rows in
                updated = hg_heap_push(scores.baseAddress, rows.baseAddress, filled, k, score, row)
            }
        }
        count = updated
    }

    /// Offers each of `entries`.
    mutating func insert(contentsOf entries: [ScoredRow]) {
        push(entries.count) { (entries[$0].score, entries[$0].row) }
    }

    /// Offers `offered` entries, the i-th given by `entry(i)`, in one pass over the heap's arrays.
    private mutating func push(_ offered: Int, _ entry: (Int) -> (score: Float, row: Int)) {
        let k = k
        var updated = count
        scores.withUnsafeMutableBufferPointer { scores in
            rows.withUnsafeMutableBufferPointer { rows in
                for index in 0..<offered {
                    let (score, row) = entry(index)
                    updated = hg_heap_push(scores.baseAddress, rows.baseAddress, updated, k, score, row)
                }
            }
        }
        count = updated
    }

    /// Offers `count` scores of consecutive rows from `firstRow`, after every row offered before (a
    /// scan in row order); those below the threshold are skipped 32 at a time by the C kernel.
    /// `allowed`, when given, is asked only about rows that would enter.
    mutating func offer(
        _ values: UnsafePointer<Float>,
        count: Int,
        firstRow: Int,
        allowed: ((Int) -> Bool)? = nil
    ) {
        guard let allowed else {
            let (k, filled) = (k, self.count)
            var updated = filled
            scores.withUnsafeMutableBufferPointer { scores in
                rows.withUnsafeMutableBufferPointer { rows in
                    updated = hg_heap_offer(scores.baseAddress, rows.baseAddress, filled, k, values, count, firstRow)
                }
            }
            self.count = updated
            return
        }
        var offset = 0
        while true {
            offset += hg_first_at_least(values + offset, count - offset, threshold)
            guard offset < count else { return }
            let row = firstRow + offset
            if allowed(row) { insert(row: row, score: values[offset]) }
            offset += 1
        }
    }

    /// Offers every row `other` keeps, as if this heap had scanned its rows too: the result keeps the
    /// best of both (the merge of the parts of a shared scan).
    mutating func merge(_ other: TopK) {
        other.withKept { scores, rows in push(scores.count) { (scores[$0], rows[$0]) } }
    }

    /// Calls `body` with the kept scores and rows, in heap order.
    func withKept<Result>(_ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Int>) -> Result) -> Result {
        scores.withUnsafeBufferPointer { scores in
            rows.withUnsafeBufferPointer { rows in
                body(UnsafeBufferPointer(rebasing: scores[0..<count]), UnsafeBufferPointer(rebasing: rows[0..<count]))
            }
        }
    }

    /// The `k` best of `entries`, best first.
    static func best(_ k: Int, of entries: [ScoredRow]) -> [ScoredRow] {
        var top = TopK(k: min(k, entries.count))
        top.insert(contentsOf: entries)
        return top.sorted()
    }

    /// The heaps of `heaps` at `indices` (at least one) merged: the first is moved out of its slot,
    /// which is left holding an empty heap, so that its arrays are not shared and the merge copies
    /// nothing; then it is offered the others' entries, those below its worst staying out.
    static func merged(_ heaps: Slots<TopK>, at indices: some Sequence<Int>) -> TopK {
        var rest = indices.makeIterator()
        guard let first = rest.next() else { preconditionFailure("no heap to merge") }
        var merged = (heaps.slots + first).move()
        (heaps.slots + first).initialize(to: TopK(k: 0))
        while let index = rest.next() { merged.merge(heaps.slots[index]) }
        return merged
    }

    /// The kept rows, best first.
    func sorted() -> [ScoredRow] {
        var scores = Array(scores.prefix(count))
        var rows = Array(rows.prefix(count))
        hg_heap_sort(&scores, &rows, count)
        return (0..<count).map { ScoredRow(row: rows[$0], score: scores[$0]) }
    }
}

extension TopK {
    /// The `keep` best of `count` rows scored block by block: `score(first, rows, buffer)` writes the
    /// scores of `rows` rows from `first` into a buffer of `blockRows` that stays in L1, and each block
    /// is offered to a bounded heap at once (no score array of all the rows is written).
    ///
    /// Without a filter and with at least `2 × rowsPerPart` rows, the rows are split into up to
    /// `threads` contiguous parts, scanned by the threads of the process's scan team (``ScanTeam``),
    /// each part into its own heap, merged at the end. A thread that finishes its part takes any part
    /// that no thread has begun, so a helper that is late (asleep when the scan begins) costs nothing
    /// but the parts it would have taken. A filter, or a team held by another scan, keeps the scan on
    /// the calling thread. `eachPart(part, heap)`, when given, runs on the thread that scanned a part
    /// of a split scan, with that part's heap, before the merge (it is not called when the scan did
    /// not split): work on a part's candidates that the threads can share.
    static func scanned(
        rows count: Int,
        blockRows: Int,
        keep: Int,
        allowed: ((Int) -> Bool)?,
        threads: Int,
        rowsPerPart: Int,
        eachPart: ((_ part: Int, _ heap: TopK) -> Void)? = nil,
        score: (_ first: Int, _ rows: Int, _ into: UnsafeMutablePointer<Float>) -> Void
    ) -> TopK {
        // No more than `count` rows can be kept: the heaps' arrays are allocated at that size.
        let keep = min(keep, count)
        guard allowed == nil, let (team, parts) = ScanTeam.split(min(threads, count / rowsPerPart)) else {
            return blocks(0..<count, blockRows: blockRows, keep: keep, allowed: allowed, score: score)
        }
        let heaps = Slots(count: parts, repeating: TopK(k: 0))
        let shared = team.run(parts: parts) { part in
            let range = (count * part / parts)..<(count * (part + 1) / parts)
            heaps.slots[part] = blocks(range, blockRows: blockRows, keep: keep, allowed: nil, score: score)
            eachPart?(part, heaps.slots[part])
        }
        guard shared else {
            return blocks(0..<count, blockRows: blockRows, keep: keep, allowed: allowed, score: score)
        }
        return merged(heaps, at: 0..<parts)
    }

    /// The `keep` best rows of one range, scored block by block on the calling thread.
    private static func blocks(
        _ range: Range<Int>,
        blockRows: Int,
        keep: Int,
        allowed: ((Int) -> Bool)?,
        score: (Int, Int, UnsafeMutablePointer<Float>) -> Void
    ) -> TopK {
        var top = TopK(k: keep)
        // No larger than the range, and not zeroed: `score` writes every value offered.
        let block = UnsafeMutablePointer<Float>.allocate(capacity: max(1, min(blockRows, range.count)))
        defer { block.deallocate() }
        var first = range.lowerBound
        while first < range.upperBound {
            let rows = min(blockRows, range.upperBound - first)
            score(first, rows, block)
            top.offer(block, count: rows, firstRow: first, allowed: allowed)
            first += rows
        }
        return top
    }
}

/// Values shared by the threads of a scan, one slot per part or per query (bounded heaps, a query's
/// hits), each slot written by one thread at a time.
final class Slots<Element>: @unchecked Sendable {
    let slots: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, repeating value: Element) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: value, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}

/// The parts of a shared scan that threads have begun, each claimed by one thread.
final class PartClaims: Sendable {
    /// Parts a scan may have: one bit each.
    static let most = 64
    private let begun = Atomic<UInt64>(0)

    /// Claims `part` for the calling thread: true when no thread had claimed it.
    func claim(_ part: Int) -> Bool {
        let bit = UInt64(1) << UInt64(part)
        return begun.bitwiseOr(bit, ordering: .relaxed).oldValue & bit == 0
    }
}

/// The process's team of scan threads (`hg_team_shared`): one helper per further processor, spinning
/// for 0.2 ms after each scan so that back-to-back queries skip a thread wake-up (tens of microseconds,
/// which Dispatch's `concurrentPerform` paid per query: more than half an int8 scan of 10k rows).
final class ScanTeam: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Its helpers and the caller.
    let size: Int

    /// `nil` on one processor, or when the threads cannot be created.
    static let shared: ScanTeam? = hg_team_shared().map(ScanTeam.init)

    /// The team and the number of parts to split a scan into, when `wanted` parts (threads × rows
    /// allowing) come to more than one on this machine; `nil` otherwise, without creating the team,
    /// so that a process that never splits a scan starts no helper thread.
    static func split(_ wanted: Int) -> (ScanTeam, Int)? {
        guard wanted > 1, let team = shared else { return nil }
        let parts = min(wanted, team.size, PartClaims.most)
        return parts > 1 ? (team, parts) : nil
    }

    private init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        size = hg_team_size(pointer)
    }

    /// Runs `body(part)` once for every part below `parts` (at most ``PartClaims/most``), on the
    /// calling thread and the team's helpers, and returns true once every part has run; returns false
    /// at once, running nothing, when another scan holds the team.
    ///
    /// Each thread claims parts, its own index first, then any part not yet begun, and the caller
    /// waits only for helpers that began before its own round ended (`hg_team_run_claimed`): a helper
    /// asleep when the scan starts (waking one took 0.04–2 ms on this VM) leaves its part to the
    /// caller instead of holding it up.
    func run(parts: Int, _ body: (_ part: Int) -> Void) -> Bool {
        precondition(parts <= PartClaims.most, "at most \(PartClaims.most) parts")
        guard hg_team_begin(pointer) != 0 else { return false }
        defer { hg_team_end(pointer) }
        let claims = PartClaims()
        withoutActuallyEscaping(body) { body in
            var round: (Int) -> Void = { worker in
                for offset in 0..<parts {
                    let part = (worker + offset) % parts
                    if claims.claim(part) { body(part) }
                }
            }
            withUnsafeMutablePointer(to: &round) { round in
                hg_team_run_claimed(
                    pointer,
                    { context, worker, _ in
                        context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(worker)
                    },
                    round,
                    parts
                )
            }
        }
        return true
    }
}
