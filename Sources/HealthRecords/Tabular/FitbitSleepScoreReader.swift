import Foundation

/// Fitbit's `sleep_score.csv`: one record per night with the overall score and its parts.
struct FitbitSleepScoreReader {
    let table: CSVTable

    func records() throws -> [ClinicalRecord] {
        let id = try table.column("sleep_log_entry_id")
        let timestamp = try table.column("timestamp")
        let overall = try table.column("overall_score")
        let parts: [(String, String, String?)] = [
            ("composition_score", "Composition score", nil), ("revitalization_score", "Revitalization score", nil),
            ("duration_score", "Duration score", nil), ("deep_sleep_in_minutes", "Deep sleep", "min"),
            ("resting_heart_rate", "Resting heart rate", "/min"), ("restlessness", "Restlessness", nil),
        ]
        let partColumns = parts.compactMap { part in table.optionalColumn(part.0).map { (part, $0) } }
        var records: [ClinicalRecord] = []
        for (line, fields) in table.rows {
            guard let date = CSVTable.field(fields, timestamp).flatMap(TabularDate.parse) else {
                throw IngestError(
                    .unexpectedStructure,
                    file: table.file,
                    location: "line \(line), column \"timestamp\"",
                    expected: "an ISO 8601 timestamp"
                )
            }
            var record = ClinicalRecord(
                id: RecordID("Fitbit/sleep-score/\(CSVTable.field(fields, id) ?? "line\(line)")"),
                kind: .activity,
                title: "Sleep score",
                category: "sleep",
                date: date,
                provenance: Provenance(
                    sourceFile: table.file,
                    resourceType: "Fitbit sleep score",
                    location: "line \(line)"
                )
            )
            record.value = CSVTable.number(CSVTable.field(fields, overall)).map { .quantity(Quantity(value: $0)) }
            for ((_, title, unit), index) in partColumns {
                guard let number = CSVTable.number(CSVTable.field(fields, index)) else { continue }
                record.components.append(
                    RecordComponent(title: title, value: .quantity(Quantity(value: number, unit: unit)))
                )
            }
            record.attributes.append(RecordAttribute("source", "Fitbit"))
            records.append(record)
        }
        return records
    }
}
