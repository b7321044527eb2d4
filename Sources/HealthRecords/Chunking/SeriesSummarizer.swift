public import Foundation

/// Summaries of repeated measurements: one per test, vital sign or metric (by code), over time.
public enum SeriesSummarizer {
    /// One dated value of a series.
    public struct Point: Sendable, Hashable {
        /// When.
        public var date: Date
        /// The value.
        public var quantity: Quantity
        /// The flag, when the source gave one.
        public var interpretation: String?
        /// The record it came from.
        public var recordID: RecordID
    }

    /// A summarized series.
    public struct Series: Sendable {
        /// The code that groups the values.
        public var code: ClinicalCode
        /// The name of the measurement.
        public var title: String
        /// The record kind of the values.
        public var kind: RecordKind
        /// The values, oldest first.
        public var points: [Point]
        /// The normal range of the most recent value that states one.
        public var referenceRange: ReferenceRange?
        /// The chunk that renders it.
        public var chunk: Chunk
    }

    /// How many recent values a series chunk lists.
    public static let recentCount = 6

    /// The series of every code measured at least twice, ordered by title.
    public static func series(in records: [ClinicalRecord]) -> [Series] {
        let superseded = Supersession.supersededIDs(in: records)
        var groups:
            [String: (code: ClinicalCode, title: String, kind: RecordKind, points: [Point], range: ReferenceRange?)] =
                [:]
        func add(
            code: ClinicalCode?,
            title: String,
            kind: RecordKind,
            value: RecordValue?,
            flag: String?,
            range: ReferenceRange?,
            record: ClinicalRecord
        ) {
            guard let code, let quantity = value?.quantity, let date = record.date else { return }
            let key = "\(code.system.uri)|\(code.code)"
            var group = groups[key] ?? (code, title, kind, [], nil)
            group.points.append(Point(date: date, quantity: quantity, interpretation: flag, recordID: record.id))
            if range != nil { group.range = range }
            groups[key] = group
        }
        for record in records where !superseded.contains(record.id) && record.assertion == .present {
            guard [.observation, .activity, .nutrition, .workout].contains(record.kind) else { continue }
            add(
                code: preferredCode(record.codes),
                title: record.title,
                kind: record.kind,
                value: record.value,
                flag: record.interpretation,
                range: record.referenceRange,
                record: record
            )
            for component in record.components {
                add(
                    code: preferredCode(component.codes),
                    title: component.title,
                    kind: record.kind,
                    value: component.value,
                    flag: component.interpretation,
                    range: component.referenceRange,
                    record: record
                )
            }
        }
        return groups.values.filter { $0.points.count >= 2 }
            .map { group in
                let points = group.points.sorted { $0.date != $1.date ? $0.date < $1.date : $0.recordID < $1.recordID }
                let chunk = makeChunk(
                    code: group.code,
                    title: group.title,
                    kind: group.kind,
                    points: points,
                    range: group.range,
                    sourceFile: records.first { $0.id == points.last?.recordID }?.provenance.sourceFile ?? ""
                )
                return Series(
                    code: group.code,
                    title: group.title,
                    kind: group.kind,
                    points: points,
                    referenceRange: group.range,
                    chunk: chunk
                )
            }
            .sorted { $0.title != $1.title ? $0.title < $1.title : $0.code.code < $1.code.code }
    }

    static func preferredCode(_ codes: [ClinicalCode]) -> ClinicalCode? {
        codes.first { $0.system == .loinc } ?? codes.first
    }

    static func makeChunk(
        code: ClinicalCode,
        title: String,
        kind: RecordKind,
        points: [Point],
        range: ReferenceRange?,
        sourceFile: String
    ) -> Chunk {
        guard let first = points.first, let last = points.last else { preconditionFailure("a series has points") }
        func describe(_ point: Point) -> String {
            let flag = point.interpretation.map { $0 == "N" ? "" : " (\($0))" } ?? ""
            return "\(point.quantity)\(flag) on \(FHIRDate.day(point.date))"
        }
        var lines = [
            "Series: \(title) (\(code)), \(points.count) results from \(FHIRDate.day(first.date)) to \(FHIRDate.day(last.date))",
            "Latest: \(describe(last)); earliest: \(describe(first))",
        ]
        let lowest = points.min { $0.quantity.value < $1.quantity.value } ?? first
        let highest = points.max { $0.quantity.value < $1.quantity.value } ?? last
        var rangeLine = "Lowest \(describe(lowest)); highest \(describe(highest))"
        if let range, !range.description.isEmpty { rangeLine += "; normal range \(range)" }
        lines.append(rangeLine)
        let unit = last.quantity.unit.map { " \($0)" } ?? ""
        var change = "Change since the first result: \(direction(last.quantity.value - first.quantity.value, unit))"
        let window = points.suffix(4)
        if points.count > 4, let windowFirst = window.first {
            change +=
                "; over the last \(window.count) results: "
                + direction(last.quantity.value - windowFirst.quantity.value, unit)
        }
        lines.append(change)
        let recent = points.suffix(recentCount).reversed().map { "\(FHIRDate.day($0.date)) \($0.quantity)" }
        lines.append("Most recent: " + recent.joined(separator: "; "))
        return Chunk(
            recordID: RecordID("series:\(code.system.shortName)|\(code.code)"),
            kind: kind,
            role: .series,
            sourceRecordIDs: points.map(\.recordID),
            category: "series",
            title: "\(title) over time",
            text: lines.joined(separator: "\n"),
            date: last.date,
            endDate: nil,
            codes: [code],
            provenance: Provenance(sourceFile: sourceFile, resourceID: nil, resourceType: "Series")
        )
    }

    static func direction(_ delta: Double, _ unit: String) -> String {
        let magnitude = Quantity(value: (abs(delta) * 100).rounded() / 100).description
        if abs(delta) < 1e-9 { return "unchanged" }
        return (delta > 0 ? "up " : "down ") + magnitude + unit
    }
}
