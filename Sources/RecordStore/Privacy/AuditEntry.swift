public import Foundation

/// One read or write of a space, as its audit trail records it: when, what, how many, by whom —
/// never what was read or written.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// When it happened.
    public var at: Date
    /// What happened (`write.source`, `delete.source`, `search.lexical`, `read.chunks`, …).
    public var operation: String
    /// The caller label of the engine or store that did it.
    public var caller: String
    /// Counts (chunks, records, hits, …).
    public var counts: [String: Int]

    /// Creates an entry.
    public init(at: Date, operation: String, caller: String, counts: [String: Int]) {
        self.at = at
        self.operation = operation
        self.caller = caller
        self.counts = counts
    }
}
