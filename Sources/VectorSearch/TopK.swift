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

    /// The kept rows, best first.
    func sorted() -> [ScoredRow] {
        heap.sorted { Self.worse($1, $0) }
    }
}
