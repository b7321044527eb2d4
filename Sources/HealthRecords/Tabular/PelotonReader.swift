import Foundation

/// Peloton's workout history CSV (imperial or metric): one workout record per class taken.
struct PelotonReader {
    let table: CSVTable

    /// Metric columns: header, title, unit.
    static let metrics: [(column: String, title: String, unit: String?)] = [
        ("Total Output", "Total output", "kJ"), ("Avg. Watts", "Average power", "W"),
        ("Avg. Resistance", "Average resistance", "%"), ("Avg. Cadence (RPM)", "Average cadence", "rpm"),
        ("Avg. Speed (mph)", "Average speed", "mph"), ("Avg. Speed (kph)", "Average speed", "km/h"),
        ("Distance (mi)", "Distance", "mi"), ("Distance (km)", "Distance", "km"),
        ("Calories Burned", "Energy burned", "kcal"), ("Avg. Heartrate", "Average heart rate", "/min"),
        ("Avg. Incline", "Average incline", "%"), ("Avg. Pace (min/mi)", "Average pace", "min/mi"),
        ("Avg. Pace (min/km)", "Average pace", "min/km"),
    ]

    func records() throws -> [ClinicalRecord] {
        let timestamp = try table.column("Workout Timestamp")
        let discipline = try table.column("Fitness Discipline")
        let length = try table.column("Length (minutes)")
        let title = table.optionalColumn("Title")
        let instructor = table.optionalColumn("Instructor Name")
        let type = table.optionalColumn("Type")
        let live = table.optionalColumn("Live/On-Demand")
        let metricColumns = Self.metrics.compactMap { metric in table.optionalColumn(metric.column).map { (metric, $0) }
        }
        var records: [ClinicalRecord] = []
        for (line, fields) in table.rows {
            guard let start = CSVTable.field(fields, timestamp).flatMap(TabularDate.parse) else {
                throw IngestError(
                    .unexpectedStructure,
                    file: table.file,
                    location: "line \(line), column \"Workout Timestamp\"",
                    expected: "a timestamp such as 2024-01-31 07:30 (EST)"
                )
            }
            let sport = CSVTable.field(fields, discipline) ?? "Workout"
            let className = CSVTable.field(fields, title)
            var record = ClinicalRecord(
                id: RecordID("Peloton/\(Int(start.timeIntervalSince1970))/\(sport)"),
                kind: .workout,
                title: className.map { "\(sport): \($0)" } ?? sport,
                category: sport.lowercased(),
                date: start,
                provenance: Provenance(
                    sourceFile: table.file,
                    resourceType: "Peloton workout",
                    location: "line \(line)"
                )
            )
            if let minutes = CSVTable.number(CSVTable.field(fields, length)) {
                record.value = .quantity(Quantity(value: minutes, unit: "min"))
                record.endDate = start.addingTimeInterval(minutes * 60)
            }
            for (metric, index) in metricColumns {
                guard let number = CSVTable.number(CSVTable.field(fields, index)) else { continue }
                record.components.append(
                    RecordComponent(title: metric.title, value: .quantity(Quantity(value: number, unit: metric.unit)))
                )
            }
            for (name, index) in [("instructor", instructor), ("class type", type), ("live or on demand", live)] {
                if let value = CSVTable.field(fields, index) { record.attributes.append(RecordAttribute(name, value)) }
            }
            record.attributes.append(RecordAttribute("source", "Peloton"))
            records.append(record)
        }
        return records
    }
}
