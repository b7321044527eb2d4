import CKernels
import Dispatch

/// A bounded min-heap that keeps the `k` best scores seen (ties broken by the lower row index).
struct TopK {
    let k: Int
    private(set) var heap: [ScoredRow] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(k)
    }

    /// Whether `a` ranks below `b`: lower score, or equal score and higher row.
    @inline(__always)
    static func worse(_ a: ScoredRow, _ b: ScoredRow) -> Bool {
        a.score < b.score || (a.score == b.score && a.row > b.row)
    }

    /// The score a candidate must beat to enter, once the heap is full.
    @inline(__always)
    var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    @inline(__always)
    mutating func insert(row: Int, score: Float) {
        guard k > 0 else { return }
        let candidate = ScoredRow(row: row, score: score)
        if heap.count < k {
            heap.append(candidate)
            siftUp(heap.count - 1)
        } else if Self.worse(heap[0], candidate) {
            heap[0] = candidate
            siftDown(0)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, Self.worse(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.worse(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    /// Offers `count` scores of consecutive rows from `firstRow`, those below the threshold skipped 32
    /// at a time by the C kernel; `allowed`, when given, is asked only about rows that would enter.
    mutating func offer(
        _ scores: UnsafePointer<Float>,
        count: Int,
        firstRow: Int,
        allowed: ((Int) -> Bool)? = nil
    ) {
        var offset = 0
        while true {
            offset += hg_first_at_least(scores + offset, count - offset, threshold)
            guard offset < count else { return }
            let row = firstRow + offset
            if allowed?(row) ?? true { insert(row: row, score: scores[offset]) }
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
        let parts = allowed == nil ? max(1, min(threads, count / rowsPerPart)) : 1
        guard parts > 1 else {
            return blocks(0..<count, blockRows: blockRows, keep: keep, allowed: allowed, score: score)
        }
        let heaps = HeapSlots(count: parts, k: 0)
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

/// Bounded heaps shared by the threads of a scan, one slot per part or per query, each slot written by
/// one thread at a time.
final class HeapSlots: @unchecked Sendable {
    let slots: UnsafeMutablePointer<TopK>
    let count: Int

    init(count: Int, k: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: TopK(k: k), count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}
