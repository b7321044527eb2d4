public import Foundation

/// Picks the parser for a file and runs it.
///
/// By extension, then by content where an extension is shared:
/// - `.json`: FHIR R4 (a Bundle or a resource), or a Fitbit archive file (a JSON array named `steps…`,
///   `sleep…`, …); `.ndjson`: FHIR bulk data.
/// - `.xml`, `.cda`, `.ccd`: by the root element, `<ClinicalDocument>` (or a bare `<section>`) is C-CDA
///   and `<HealthData>` is an Apple Health export; `.zip`: an Apple Health `export.zip`.
/// - `.csv`: MyFitnessPal, Peloton or Fitbit by header, or any CSV with a ``ColumnMapping`` beside it.
/// - `.txt`, `.text`, `.md`, `.markdown`, `.pdf`: documents (lab reports and letters).
///
/// Files that are parts of another source are not read on their own (``canRead(_:)`` is false): a column
/// mapping (`*.mapping.json`), Apple's `export_cda.xml` (the same samples as export.xml), and the
/// `clinical-records/*.json` of an unzipped Apple Health export, which export.xml reads.
public struct RecordSourceReader: Sendable {
    /// Options passed to the FHIR parser.
    public var fhir: FHIRParser
    /// The CSV reader (and the column mapping it uses for CSVs of no known layout).
    public var tabular: TabularParser

    /// The largest FHIR `.json` file read (it is parsed whole): 256 MiB.
    public static let maximumJSONFileSize = 256 << 20
    /// The largest FHIR `.ndjson` file read (memory-mapped, parsed a line at a time): 1 GiB.
    public static let maximumNDJSONFileSize = 1 << 30

    /// Creates a reader.
    /// - Parameters:
    ///   - patientID: keep only this patient's resources from multi-patient files.
    ///   - mapping: a column mapping for CSV files of no known layout (otherwise `name.mapping.json`).
    public init(patientID: String? = nil, mapping: ColumnMapping? = nil) {
        self.fhir = FHIRParser(patientID: patientID)
        self.tabular = TabularParser(mapping: mapping)
    }

    static let documentExtensions: Set<String> = ["txt", "text", "md", "markdown", "pdf"]
    static let readableExtensions: Set<String> =
        Set(["json", "ndjson", "xml", "cda", "ccd", "zip", "csv"]).union(documentExtensions)

    /// Whether this reader has a parser for the file, by its name (and, for parts of an Apple Health
    /// export, by what sits beside it).
    public func canRead(_ url: URL) -> Bool {
        let name = url.lastPathComponent.lowercased()
        guard Self.readableExtensions.contains(url.pathExtension.lowercased()) else { return false }
        if name.hasSuffix(".mapping.json") || name == "export_cda.xml" { return false }
        let folder = url.deletingLastPathComponent()
        if folder.lastPathComponent == "clinical-records", url.pathExtension.lowercased() == "json" {
            let export = folder.deletingLastPathComponent().appendingPathComponent("export.xml")
            if FileManager.default.fileExists(atPath: export.path) { return false }
        }
        return true
    }

    /// Parses a file with the parser its name and content call for.
    /// - Throws: ``IngestError`` (`unsupportedFormat` for a file no parser reads; `tooLarge` before
    ///   reading a file too large for a format that is read whole).
    public func read(_ url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        _ = try Self.regularFile(url, file: name)
        return try parse(url, displayName: name).uniquingRecordIDs()
    }

    /// The file a path names, links resolved, when it is a regular file; a device (`/dev/zero`), a FIFO
    /// or a socket is refused before any byte is read: reading one would spin or block for ever.
    /// - Throws: ``IngestError`` `.unreadable`.
    static func regularFile(_ url: URL, file: String) throws -> URL {
        let resolved = url.resolvingSymlinksInPath()
        let type: FileAttributeType?
        do {
            type = try FileManager.default.attributesOfItem(atPath: resolved.path)[.type] as? FileAttributeType
        } catch {
            throw IngestError(.unreadable, file: file, underlying: error)
        }
        guard type == .typeRegular else {
            throw IngestError(
                .unreadable,
                file: file,
                expected: "a regular file (not a device, a FIFO, a socket or a folder)"
            )
        }
        return resolved
    }

    private func parse(_ url: URL, displayName: String?) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        let fileExtension = url.pathExtension.lowercased()
        switch fileExtension {
        case "json":
            if url.lastPathComponent.lowercased().hasSuffix(".mapping.json") {
                throw IngestError(.unsupportedFormat, file: name, expected: "records (this is a CSV column mapping)")
            }
            if FitbitParser.recognizes(url, prefix: try Self.prefix(of: url, file: name)) {
                return try FitbitParser().parse(contentsOf: url, displayName: name)
            }
            try FileLimits.require(url, atMost: Self.maximumJSONFileSize, file: name)
            return try fhir.parse(contentsOf: url, displayName: name)
        case "ndjson":
            try FileLimits.require(url, atMost: Self.maximumNDJSONFileSize, file: name)
            return try fhir.parse(contentsOf: url, displayName: name)
        case "xml", "cda", "ccd":
            switch try Self.rootElement(of: url, file: name) {
            case "HealthData":
                return try AppleHealthParser().parse(contentsOf: url, displayName: name)
            case "ClinicalDocument", "section", "component":
                return try CCDAParser().parse(contentsOf: url, displayName: name)
            default:
                throw IngestError(
                    .unsupportedFormat,
                    file: name,
                    expected: "a C-CDA document (<ClinicalDocument>) or an Apple Health export (<HealthData>)"
                )
            }
        case "zip":
            return try AppleHealthParser().parse(contentsOf: url, displayName: name)
        case "csv":
            return try tabular.parse(contentsOf: url, displayName: name)
        case _ where Self.documentExtensions.contains(fileExtension):
            return try DocumentParser().parse(contentsOf: url, displayName: name)
        default:
            throw IngestError(
                .unsupportedFormat,
                file: name,
                expected:
                    "FHIR (.json, .ndjson), C-CDA or Apple Health (.xml, .zip), CSV, text, Markdown or PDF"
            )
        }
    }

    /// The first bytes of a file, for sniffing.
    static func prefix(of url: URL, file: String, count: Int = 64 << 10) throws -> Data {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            return try handle.read(upToCount: count) ?? Data()
        } catch {
            throw IngestError(.unreadable, file: file, underlying: error)
        }
    }

    /// The name of an XML file's root element, read from its first 64 KiB (after the declaration,
    /// comments and processing instructions), or nil.
    static func rootElement(of url: URL, file: String) throws -> String? {
        let data = try prefix(of: url, file: file)
        let text: String
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            text = String(data: data.prefix(data.count & ~1), encoding: .utf16) ?? ""
        } else {
            text = String(decoding: data, as: UTF8.self)
        }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            if rest.hasPrefix("?") || rest.hasPrefix("!") {
                let terminator = rest.hasPrefix("!--") ? "-->" : ">"
                guard let end = rest.range(of: terminator) else { return nil }
                rest = rest[end.upperBound...]
                continue
            }
            let name = rest.prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
            return name.split(separator: ":").last.map(String.init)
        }
        return nil
    }
}

extension ParsedSource {
    /// The same records with identifiers made unique within the file (`…#2`, `…#3` for repeats), as the
    /// store keys records by source and id: two workouts from two devices that start in the same second,
    /// or a CSV that repeats a row, stay two records.
    func uniquingRecordIDs() -> ParsedSource {
        var seen: [RecordID: Int] = [:]
        var copy = self
        for index in copy.records.indices {
            let id = copy.records[index].id
            let count = seen[id, default: 0] + 1
            seen[id] = count
            if count > 1 { copy.records[index].id = RecordID("\(id.rawValue)#\(count)") }
        }
        return copy
    }
}
