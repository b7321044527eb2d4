public import Foundation

/// A chunk's stable identifier, derived from its record and its content.
public struct ChunkID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// 32 lowercase hexadecimal digits.
    public var rawValue: String

    /// Wraps an identifier's text.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: ChunkID, rhs: ChunkID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a chunk is: one record's facts, a series of values, the patient snapshot, or a piece of a note.
public enum ChunkRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// One record's facts in plain words (a fact card).
    case fact
    /// A series of one test, vital sign or metric over time.
    case series
    /// The patient summary: problems, medications, allergies, immunizations, latest results.
    case snapshot
    /// A section (or part of a section) of a note or report.
    case narrative
}

/// A citable piece of a person's records: the text that is embedded and searched, with what it cites.
public struct Chunk: Hashable, Sendable, Codable {
    /// Stable, derived from the record id and the text: the same content always gets the same id.
    public var id: ChunkID
    /// The record the chunk renders.
    public var recordID: RecordID
    /// The record's kind.
    public var kind: RecordKind
    /// What the chunk is.
    public var role: ChunkRole
    /// Whether a newer record replaces this one (an amended result, a newer medication status).
    public var isSuperseded: Bool
    /// For series and snapshot chunks, the records they summarize.
    public var sourceRecordIDs: [RecordID]
    /// The record's sub-category (`laboratory`, `vital-signs`, …), when it has one.
    public var category: String?
    /// The record's status, when it has one.
    public var status: String?
    /// A one-line title.
    public var title: String
    /// The rendered text that is embedded and searched.
    public var text: String
    /// The clinical date the chunk is about.
    public var date: Date?
    /// The end of the period, when the record has one.
    public var endDate: Date?
    /// The record's codes.
    public var codes: [ClinicalCode]
    /// Where it came from.
    public var provenance: Provenance

    /// Creates a chunk; its id is derived from `recordID` and `text`.
    public init(
        recordID: RecordID,
        kind: RecordKind,
        role: ChunkRole = .fact,
        isSuperseded: Bool = false,
        sourceRecordIDs: [RecordID] = [],
        category: String? = nil,
        status: String? = nil,
        title: String,
        text: String,
        date: Date? = nil,
        endDate: Date? = nil,
        codes: [ClinicalCode] = [],
        provenance: Provenance
    ) {
        let superseded = isSuperseded ? "\u{1F}superseded" : ""
        self.id = ChunkID(
            ContentHash.hex(of: "\(recordID.rawValue)\u{1F}\(role.rawValue)\u{1F}\(text)\(superseded)", length: 32)
        )
        self.recordID = recordID
        self.kind = kind
        self.role = role
        self.isSuperseded = isSuperseded
        self.sourceRecordIDs = sourceRecordIDs
        self.category = category
        self.status = status
        self.title = title
        self.text = text
        self.date = date
        self.endDate = endDate
        self.codes = codes
        self.provenance = provenance
    }
}
