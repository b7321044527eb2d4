public import Foundation
public import HealthRecords

/// Conditions a chunk must meet to be a search candidate. Applied before top-k, in both the dense
/// and the lexical search, so a filtered query returns `k` hits whenever `k` matching chunks exist.
///
/// Every condition that is set must hold; within a set, any member may match.
public struct SearchFilter: Sendable, Hashable, Codable {
    /// Record kinds to keep (`[.observation]`); nil keeps every kind.
    public var kinds: Set<RecordKind>?
    /// Keep chunks dated on or after this instant (undated chunks are dropped when a date bound is set).
    public var from: Date?
    /// Keep chunks dated on or before this instant.
    public var to: Date?
    /// Codes to keep: a bare code (`4548-4`) or system-qualified (`LOINC|4548-4`, `RxNorm|314076`).
    public var codes: Set<String>?
    /// Source paths to keep, as ingested.
    public var sources: Set<String>?
    /// Statuses to keep (`active`, `final`, …).
    public var statuses: Set<String>?

    /// Creates a filter; with no arguments it keeps everything.
    public init(
        kinds: Set<RecordKind>? = nil,
        from: Date? = nil,
        to: Date? = nil,
        codes: Set<String>? = nil,
        sources: Set<String>? = nil,
        statuses: Set<String>? = nil
    ) {
        self.kinds = kinds
        self.from = from
        self.to = to
        self.codes = codes
        self.sources = sources
        self.statuses = statuses
    }

    /// Whether the filter keeps everything.
    public var isEmpty: Bool {
        kinds == nil && from == nil && to == nil && codes == nil && sources == nil && statuses == nil
    }

    /// Whether a chunk's facts pass the filter.
    public func matches(_ facts: ChunkFacts) -> Bool {
        if let kinds, !kinds.contains(facts.kind) { return false }
        if from != nil || to != nil {
            guard let date = facts.date else { return false }
            if let from, date < from { return false }
            if let to, date > to { return false }
        }
        if let codes {
            guard facts.codes.contains(where: { codes.contains($0) || codes.contains(Self.bare($0)) }) else {
                return false
            }
        }
        if let sources, !sources.contains(facts.sourcePath) { return false }
        if let statuses {
            guard let status = facts.status, statuses.contains(status) else { return false }
        }
        return true
    }

    static func bare(_ qualified: String) -> String {
        qualified.split(separator: "|", maxSplits: 1).last.map(String.init) ?? qualified
    }
}

/// What filters look at, for one stored chunk: kept in memory beside its vector.
public struct ChunkFacts: Sendable, Hashable {
    /// The record kind.
    public var kind: RecordKind
    /// The clinical date.
    public var date: Date?
    /// The codes, system-qualified (`LOINC|4548-4`).
    public var codes: [String]
    /// The source path as ingested.
    public var sourcePath: String
    /// The status.
    public var status: String?

    /// Creates chunk facts.
    public init(kind: RecordKind, date: Date?, codes: [String], sourcePath: String, status: String?) {
        self.kind = kind
        self.date = date
        self.codes = codes
        self.sourcePath = sourcePath
        self.status = status
    }
}
