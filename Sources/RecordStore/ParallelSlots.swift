import Synchronization

/// Results of work shared among threads (`DispatchQueue.concurrentPerform`), one slot per item, each
/// written by the thread that did the item.
final class ParallelSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Result<Value, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ index: Int, _ result: Result<Value, any Error>) {
        slots.withLock { $0[index] = result }
    }

    /// The values in item order; the error of the first item that failed (as a sequential run would
    /// have met it) otherwise.
    func values() throws -> [Value] {
        try slots.withLock { slots in
            try slots.map { slot in
                guard let slot else { throw StoreError(.corrupt, "a parallel part did not finish") }
                return try slot.get()
            }
        }
    }
}
