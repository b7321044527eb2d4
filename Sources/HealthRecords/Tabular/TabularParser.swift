public import Foundation

/// Reads CSV exports: MyFitnessPal's nutrition summary, Peloton's workout history, Fitbit's sleep
/// scores (each recognized by its header), and any other CSV through a ``ColumnMapping``.
///
/// Rows become records: a meal with its nutrients (`nutrition`), a class with its output, heart rate and
/// distance (`workout`), a night's sleep score, or what the mapping says. A column that the format
/// requires and the header lacks is an error naming the file, the line and the column.
///
/// ```swift
/// let parsed = try TabularParser().parse(contentsOf: URL(fileURLWithPath: "workouts.csv"))
/// ```
public struct TabularParser: Sendable {
    /// A mapping to use for CSVs that no built-in reader recognizes; when nil, the companion file
    /// (``ColumnMapping/companionURL(for:)``) is used if it exists.
    public var mapping: ColumnMapping?

    /// Creates a parser.
    /// - Parameter mapping: the column mapping for CSVs of no known layout.
    public init(mapping: ColumnMapping? = nil) {
        self.mapping = mapping
    }

    /// Parses a CSV file.
    /// - Throws: ``IngestError``: `.missingField` with the line and column name, `.unsupportedFormat` when
    ///   the layout is unknown and there is no mapping, `.malformed` for broken CSV.
    public func parse(contentsOf url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        let table = try CSVTable(contentsOf: url, file: name)
        var mapping = self.mapping
        let companion = ColumnMapping.companionURL(for: url)
        if mapping == nil, FileManager.default.fileExists(atPath: companion.path) {
            mapping = try ColumnMapping.load(from: companion)
        }
        return try parse(table: table, mapping: mapping)
    }

    /// Parses CSV bytes.
    public func parse(data: Data, displayName name: String) throws -> ParsedSource {
        try parse(table: CSVTable(data: data, file: name), mapping: mapping)
    }

    /// The layouts recognized by their header.
    enum Layout {
        case myFitnessPal
        case peloton
        case fitbitSleepScore

        init?(header: [String]) {
            let names = Set(header.map { $0.lowercased() })
            if names.isSuperset(of: ["date", "meal", "calories"]) {
                self = .myFitnessPal
            } else if names.contains("workout timestamp") && names.contains("fitness discipline") {
                self = .peloton
            } else if names.isSuperset(of: ["sleep_log_entry_id", "overall_score"]) {
                self = .fitbitSleepScore
            } else {
                return nil
            }
        }
    }

    func parse(table: CSVTable, mapping: ColumnMapping?) throws -> ParsedSource {
        let records: [ClinicalRecord]
        if let mapping {
            records = try MappedCSVReader(table: table, mapping: mapping).records()
        } else {
            switch Layout(header: table.header) {
            case .myFitnessPal: records = try MyFitnessPalReader(table: table).records()
            case .peloton: records = try PelotonReader(table: table).records()
            case .fitbitSleepScore: records = try FitbitSleepScoreReader(table: table).records()
            case nil:
                throw IngestError(
                    .unsupportedFormat,
                    file: table.file,
                    location: "line 1",
                    expected:
                        "a MyFitnessPal, Peloton or Fitbit CSV header, or a column mapping file (name.mapping.json)"
                )
            }
        }
        return ParsedSource(file: table.file, records: records).uniquingRecordIDs()
    }
}
