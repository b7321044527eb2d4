public import Foundation

/// What a deletion removed, when, and how — counts only, no content.
public struct DeletionReceipt: Sendable, Hashable, Codable {
    /// What was deleted.
    public enum Scope: String, Sendable, Hashable, Codable {
        /// One source and everything it produced.
        case source
        /// A whole space: its data key was destroyed and its files removed.
        case space
    }

    /// A source or a whole space.
    public var scope: Scope
    /// The space the deletion happened in.
    public var spaceID: String
    /// When the deletion finished.
    public var at: Date
    /// Sources removed.
    public var sources: Int
    /// Records removed.
    public var records: Int
    /// Chunks removed (with their full-text entries).
    public var chunks: Int
    /// Vectors removed.
    public var vectors: Int
    /// Audit entries removed (a whole space's trail goes with it).
    public var auditEntries: Int
    /// How the content was made unrecoverable, in order.
    public var measures: [String]

    /// Creates a receipt.
    public init(
        scope: Scope,
        spaceID: String,
        at: Date,
        sources: Int,
        records: Int,
        chunks: Int,
        vectors: Int,
        auditEntries: Int,
        measures: [String]
    ) {
        self.scope = scope
        self.spaceID = spaceID
        self.at = at
        self.sources = sources
        self.records = records
        self.chunks = chunks
        self.vectors = vectors
        self.auditEntries = auditEntries
        self.measures = measures
    }
}
