/// Cuts records into chunks. For now, one chunk per record, rendered by ``RecordRenderer``.
///
/// The clinically structured chunker (fact cards, series, narrative splitting) replaces this.
public struct RecordChunker: Sendable {
    /// Creates a chunker.
    public init() {}

    /// The chunks for a file's records, in record order.
    public func chunks(for records: [ClinicalRecord]) -> [Chunk] {
        records.map { record in
            Chunk(
                recordID: record.id,
                kind: record.kind,
                category: record.category,
                status: record.status,
                title: record.title,
                text: RecordRenderer.text(for: record),
                date: record.date,
                endDate: record.endDate,
                codes: record.codes,
                provenance: record.provenance
            )
        }
    }
}
