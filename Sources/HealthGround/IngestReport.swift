import HealthRecords
public import RecordStore

/// What ingesting files into a space did, file by file.
public struct IngestReport: Sendable, Codable {
    /// One file's outcome.
    public struct FileResult: Sendable, Codable {
        /// The file as named in provenance.
        public var file: String
        /// Added, updated or unchanged.
        public var outcome: SourceChange.Outcome
        /// Records by kind.
        public var recordsByKind: [String: Int]
        /// Resource types that were recognized but not modelled, with counts.
        public var skippedTypes: [String: Int]
        /// Records dropped on purpose (`entered-in-error`).
        public var dropped: Int
        /// Chunks written, removed and kept.
        public var chunksAdded: Int
        /// Chunks that the new version of the file no longer produces.
        public var chunksRemoved: Int
        /// Chunks that stayed as they were.
        public var chunksKept: Int

        /// The number of records the file holds.
        public var recordCount: Int { recordsByKind.values.reduce(0, +) }
    }

    /// A file that could not be ingested; the space is as it was before that file.
    public struct Failure: Sendable, Codable, CustomStringConvertible {
        /// The file as named.
        public var file: String
        /// Where and why (never a value from the file).
        public var reason: String

        public var description: String { reason }
    }

    /// The files ingested (or found unchanged).
    public var files: [FileResult] = []
    /// The files that failed.
    public var failures: [Failure] = []
    /// Files in named folders that no parser reads, skipped.
    public var ignoredFiles: [String] = []

    /// Records by kind over all files.
    public var recordsByKind: [String: Int] {
        files.reduce(into: [:]) { total, file in
            for (kind, count) in file.recordsByKind { total[kind, default: 0] += count }
        }
    }

    /// Creates an empty report.
    public init() {}
}
