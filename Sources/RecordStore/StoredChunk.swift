public import HealthRecords

/// A chunk as stored in a space, with the row that keys its vector and FTS entry.
public struct StoredChunk: Sendable, Hashable {
    /// The chunk's row in the `chunk` table; keys its vector and its FTS entry.
    public var rowID: Int64
    /// The source file's path as ingested.
    public var sourcePath: String
    /// The chunk.
    public var chunk: Chunk

    /// Creates a stored chunk.
    public init(rowID: Int64, sourcePath: String, chunk: Chunk) {
        self.rowID = rowID
        self.sourcePath = sourcePath
        self.chunk = chunk
    }
}

/// What ingesting one source changed in a space.
public struct SourceChange: Sendable, Hashable {
    /// Whether the source was new, changed, or identical to what is stored.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case added
        case updated
        case unchanged
    }

    /// What happened.
    public var outcome: Outcome
    /// Chunks written.
    public var chunksAdded: Int
    /// Chunks removed (they are no longer in the source).
    public var chunksRemoved: Int
    /// Chunks kept as they were.
    public var chunksKept: Int
    /// Records the source now holds.
    public var recordCount: Int

    /// Creates a change summary.
    public init(outcome: Outcome, chunksAdded: Int, chunksRemoved: Int, chunksKept: Int, recordCount: Int) {
        self.outcome = outcome
        self.chunksAdded = chunksAdded
        self.chunksRemoved = chunksRemoved
        self.chunksKept = chunksKept
        self.recordCount = recordCount
    }
}

/// A source as the store knows it.
public struct StoredSource: Sendable, Hashable, Codable {
    /// The path as ingested.
    public var path: String
    /// The SHA-256 of the file's bytes and the reader's options.
    public var fingerprint: String
    /// Records it produced.
    public var recordCount: Int
    /// Chunks it produced.
    public var chunkCount: Int
}
