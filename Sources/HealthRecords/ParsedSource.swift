/// What a parser produced from one file: its records and what it skipped.
public struct ParsedSource: Sendable {
    /// The file, as the caller named it.
    public var file: String
    /// The normalized records, in the file's order.
    public var records: [ClinicalRecord]
    /// Resource or element types that were recognized as records of a format but are not modelled,
    /// with their counts (`["Device": 3]`). Reported, not fatal.
    public var skippedTypes: [String: Int]
    /// Records dropped on purpose (FHIR `entered-in-error`), counted.
    public var droppedCount: Int

    /// Creates a parse result.
    public init(file: String, records: [ClinicalRecord], skippedTypes: [String: Int] = [:], droppedCount: Int = 0) {
        self.file = file
        self.records = records
        self.skippedTypes = skippedTypes
        self.droppedCount = droppedCount
    }

    /// Record counts by kind.
    public var countsByKind: [RecordKind: Int] {
        records.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }
}
