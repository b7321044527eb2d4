import CSV
import Foundation

/// A CSV file read with CSV.swift: its header and rows, each row with the line it started on.
struct CSVTable {
    let file: String
    let header: [String]
    let rows: [(line: Int, fields: [String])]

    /// The largest CSV read (it is read whole): 256 MiB.
    static let maximumFileSize = 256 << 20

    /// Reads a CSV file with a header row.
    /// - Throws: ``IngestError`` for size, encoding and CSV syntax problems, naming the file.
    init(contentsOf url: URL, file: String) throws {
        try FileLimits.require(url, atMost: Self.maximumFileSize, file: file)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IngestError(.unreadable, file: file, underlying: error)
        }
        try self.init(data: data, file: file)
    }

    /// Reads CSV bytes with a header row.
    init(data: Data, file: String) throws {
        self.file = file
        let text = try TextDecoding.decodeJSONText(data, file: file)
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
        } catch {
            throw IngestError(
                .malformed,
                file: file,
                location: "line 1",
                expected: "a CSV header row",
                underlying: error
            )
        }
        header = (reader.headerRow ?? []).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}").union(.whitespaces))
        }
        guard !header.isEmpty else {
            throw IngestError(.malformed, file: file, location: "line 1", expected: "a CSV header row")
        }
        // Lines are counted from the text, so that a quoted field with line breaks keeps the count right.
        var rows: [(Int, [String])] = []
        var line = 2
        while let fields = reader.next() {
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((line, fields)) }
            line += 1 + fields.reduce(0) { $0 + $1.reduce(0) { $1 == "\n" ? $0 + 1 : $0 } }
        }
        if let error = reader.error {
            throw IngestError(
                .malformed,
                file: file,
                location: "line \(line)",
                expected: "well-formed CSV",
                underlying: error
            )
        }
        self.rows = rows
    }

    /// The index of a column, or an error naming the file, the header line and the column.
    func column(_ name: String) throws -> Int {
        if let index = optionalColumn(name) { return index }
        throw IngestError(.missingField, file: file, location: "line 1", expected: "a column named \"\(name)\"")
    }

    /// The index of a column when the header has it (compared without case and surrounding spaces).
    func optionalColumn(_ name: String) -> Int? {
        let wanted = name.lowercased()
        return header.firstIndex { $0.lowercased() == wanted }
    }

    /// A row's field, or nil when the row is short or the field empty.
    static func field(_ fields: [String], _ index: Int?) -> String? {
        guard let index, index < fields.count else { return nil }
        let value = fields[index].trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// A number as exports write it: `1,234.5` or `12.3`.
    static func number(_ text: String?) -> Double? {
        guard let text else { return nil }
        return FiniteNumber.parse(text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: ""))
    }
}
