import Foundation

/// Any CSV read through a ``ColumnMapping``: one record per row.
struct MappedCSVReader {
    let table: CSVTable
    let mapping: ColumnMapping

    func records() throws -> [ClinicalRecord] {
        let kind =
            try mapping.kind.map { name -> RecordKind in
                guard let kind = RecordKind(rawValue: name) else {
                    throw IngestError(
                        .unexpectedStructure,
                        file: table.file,
                        location: "mapping $.kind",
                        expected: "one of " + RecordKind.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                }
                return kind
            } ?? .observation
        let dateColumn = try table.column(mapping.date.column)
        let valueColumns = try mapping.values.map { ($0, try table.column($0.column)) }
        let textColumn = try mapping.text.map { try table.column($0) }
        var records: [ClinicalRecord] = []
        for (line, fields) in table.rows {
            guard let dateText = CSVTable.field(fields, dateColumn) else {
                throw IngestError(
                    .missingField,
                    file: table.file,
                    location: "line \(line), column \"\(mapping.date.column)\"",
                    expected: "a date"
                )
            }
            let parsedDate =
                mapping.date.format.map { TabularDate.parse(dateText, format: $0, timeZone: mapping.date.timeZone) }
                ?? TabularDate.parse(dateText)
            guard let date = parsedDate else {
                throw IngestError(
                    .unexpectedStructure,
                    file: table.file,
                    location: "line \(line), column \"\(mapping.date.column)\"",
                    expected: "a date in the format \(mapping.date.format ?? "yyyy-MM-dd")"
                )
            }
            var record = ClinicalRecord(
                id: RecordID("CSV/\(table.file)/line\(line)"),
                kind: kind,
                title: mapping.title,
                category: mapping.category,
                date: date,
                provenance: Provenance(sourceFile: table.file, resourceType: "CSV row", location: "line \(line)")
            )
            var components: [RecordComponent] = []
            for (column, index) in valueColumns {
                guard let text = CSVTable.field(fields, index) else { continue }
                let value: RecordValue =
                    CSVTable.number(text).map { .quantity(Quantity(value: $0, unit: column.unit)) } ?? .text(text)
                let codes = column.code.map { [ClinicalCode(system: CodeSystem($0.system), code: $0.code)] } ?? []
                components.append(RecordComponent(title: column.title ?? column.column, codes: codes, value: value))
            }
            if mapping.values.count == 1, let only = components.first {
                record.value = only.value
                record.codes = only.codes
            } else {
                record.components = components
            }
            record.text = CSVTable.field(fields, textColumn)
            records.append(record)
        }
        return records
    }
}
