public import Foundation

/// How to read a CSV that no built-in reader knows: which column holds the date, which hold values, with
/// what units and codes. Stored as JSON beside the CSV (`weights.csv` → `weights.mapping.json`).
///
/// ```json
/// {
///   "kind": "observation", "category": "vital-signs", "title": "Home blood pressure",
///   "date": { "column": "Date", "format": "yyyy-MM-dd HH:mm" },
///   "values": [
///     { "column": "Systolic", "title": "Systolic blood pressure", "unit": "mm[Hg]",
///       "code": { "system": "http://loinc.org", "code": "8480-6" } },
///     { "column": "Diastolic", "title": "Diastolic blood pressure", "unit": "mm[Hg]" }
///   ],
///   "text": "Notes"
/// }
/// ```
/// Each row becomes one record; with one value column it is the record's value, with several they are
/// its components.
public struct ColumnMapping: Codable, Sendable, Hashable {
    /// The date column and how to read it.
    public struct DateColumn: Codable, Sendable, Hashable {
        /// The header of the column.
        public var column: String
        /// A `DateFormatter` pattern (`yyyy-MM-dd`); ISO 8601 and FHIR dates are read when absent.
        public var format: String?
        /// The time zone of the written times (`America/New_York`); UTC when absent.
        public var timeZone: String?

        /// Creates a date column description.
        public init(column: String, format: String? = nil, timeZone: String? = nil) {
            self.column = column
            self.format = format
            self.timeZone = timeZone
        }
    }

    /// A code given to a value (`{"system": "http://loinc.org", "code": "29463-7"}`).
    public struct Code: Codable, Sendable, Hashable {
        /// The system URI or OID.
        public var system: String
        /// The code.
        public var code: String

        /// Creates a code.
        public init(system: String, code: String) {
            self.system = system
            self.code = code
        }
    }

    /// A value column.
    public struct ValueColumn: Codable, Sendable, Hashable {
        /// The header of the column.
        public var column: String
        /// What the value is; the header when absent.
        public var title: String?
        /// The unit of the numbers in the column.
        public var unit: String?
        /// A code for the value.
        public var code: Code?

        /// Creates a value column description.
        public init(column: String, title: String? = nil, unit: String? = nil, code: Code? = nil) {
            self.column = column
            self.title = title
            self.unit = unit
            self.code = code
        }
    }

    /// The kind of record each row becomes (a ``RecordKind`` raw value); `observation` when absent.
    public var kind: String?
    /// The observation category (`vital-signs`, `laboratory`, …).
    public var category: String?
    /// The records' title.
    public var title: String
    /// The date column.
    public var date: DateColumn
    /// The value columns.
    public var values: [ValueColumn]
    /// A column of free text kept as the record's text.
    public var text: String?

    /// Creates a mapping.
    public init(
        kind: String? = nil,
        category: String? = nil,
        title: String,
        date: DateColumn,
        values: [ValueColumn],
        text: String? = nil
    ) {
        self.kind = kind
        self.category = category
        self.title = title
        self.date = date
        self.values = values
        self.text = text
    }

    /// Reads a mapping file.
    /// - Throws: ``IngestError`` naming the mapping file and the JSON path of the problem.
    public static func load(from url: URL) throws -> ColumnMapping {
        let name = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IngestError(.unreadable, file: name, underlying: error)
        }
        do {
            return try JSONDecoder().decode(ColumnMapping.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw IngestError(
                .missingField,
                file: name,
                location: Self.path(context.codingPath),
                expected: "a \"\(key.stringValue)\" field"
            )
        } catch let DecodingError.typeMismatch(_, context) {
            throw IngestError(.unexpectedStructure, file: name, location: Self.path(context.codingPath))
        } catch {
            throw IngestError(
                .malformed,
                file: name,
                expected: "a JSON column mapping (title, date, values)",
                underlying: error
            )
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        "$" + codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// The mapping file that goes with a CSV: `name.csv` → `name.mapping.json` in the same folder.
    public static func companionURL(for csv: URL) -> URL {
        csv.deletingPathExtension().appendingPathExtension("mapping.json")
    }
}
