import CKernels
import Dispatch

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

    /// The kept rows, best first.
    func sorted() -> [ScoredRow] {
        heap.sorted { Self.worse($1, $0) }
    }
}

extension TopK {
    /// The `keep` best of `count` rows scored block by block: `score(first, rows, buffer)` writes the
    /// scores of `rows` rows from `first` into a buffer of `blockRows` that stays in L1, and each block
    /// is offered to a bounded heap at once (no score array of all the rows is written).
    ///
    /// Without a filter and with at least two parts' worth of rows, the rows are split into up to
    /// `threads` contiguous parts of at least `rowsPerPart` rows, scanned on as many threads, each into
    /// its own heap, merged at the end. A filter keeps the scan on the calling thread.
    static func scanned(
        rows count: Int,
        blockRows: Int,
        keep: Int,
        allowed: ((Int) -> Bool)?,
        threads: Int,
        rowsPerPart: Int,
        score: @escaping @Sendable (_ first: Int, _ rows: Int, _ into: UnsafeMutablePointer<Float>) -> Void
    ) -> TopK {
        // No more than `count` rows can be kept: the heaps' arrays are allocated at that size.
        let keep = min(keep, count)
        let parts = allowed == nil ? max(1, min(threads, count / rowsPerPart)) : 1
        guard parts > 1 else {
            return blocks(0..<count, blockRows: blockRows, keep: keep, allowed: allowed, score: score)
        }
        let heaps = Slots(count: parts, repeating: TopK(k: 0))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (count * part / parts)..<(count * (part + 1) / parts)
            heaps.slots[part] = blocks(range, blockRows: blockRows, keep: keep, allowed: nil, score: score)
        }
        var merged = TopK(k: keep)
        for part in 0..<parts {
            for entry in heaps.slots[part].heap where entry.score >= merged.threshold {
                merged.insert(row: entry.row, score: entry.score)
            }
        }
        return merged
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
        var block = [Float](repeating: 0, count: blockRows)
        block.withUnsafeMutableBufferPointer { block in
            var first = range.lowerBound
            while first < range.upperBound {
                let rows = min(blockRows, range.upperBound - first)
                score(first, rows, block.baseAddress!)
                top.offer(block.baseAddress!, count: rows, firstRow: first, allowed: allowed)
                first += rows
            }
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
