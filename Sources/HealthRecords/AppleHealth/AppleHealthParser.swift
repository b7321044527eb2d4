public import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads an Apple Health export: `export.zip` as the Health app writes it, or its `export.xml`.
///
/// The XML is parsed as a stream (Foundation `XMLParser`), so the document is never held in memory; from
/// a zip the entry is decompressed into the parser as it is read, without extracting it to disk.
/// Raw samples (millions in a real export) become one summary record per type and day: the total for
/// cumulative types (steps, energy, distance, dietary intake) and the mean with minimum and maximum for
/// discrete ones (heart rate, body mass). Samples from several devices that overlap are not added up:
/// within each hour one source is kept per type (the one with the most data), as the Health app does
/// with its source priority. Workouts (with their statistics), activity summaries and the profile are
/// records of their own; `<ClinicalRecord>` entries are read from the FHIR JSON files the export carries
/// in `clinical-records/`.
///
/// ```swift
/// let parsed = try AppleHealthParser().parse(contentsOf: URL(fileURLWithPath: "export.zip"))
/// ```
public struct AppleHealthParser: Sendable {
    /// Creates a parser.
    public init() {}

    /// Parses `export.zip` or `export.xml`.
    /// - Parameters:
    ///   - url: the archive or the XML file.
    ///   - displayName: the name errors and provenance use; defaults to the last path component.
    /// - Returns: daily summaries, workouts, activity summaries, the profile and clinical records.
    /// - Throws: ``IngestError``: `.malformed` with line, column and element path for bad XML, or for a
    ///   damaged or truncated zip; `.unsupportedFormat` when the XML is not a Health export.
    public func parse(contentsOf url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        if url.pathExtension.lowercased() == "zip" {
            return try parseArchive(url, name: name)
        }
        guard let stream = InputStream(url: url) else { throw IngestError(.unreadable, file: name) }
        var export = try parse(stream: stream, name: name)
        // Clinical records beside an unzipped export.xml, only inside the export's folder.
        let folder = url.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath()
        var clinical: [(String, Data?)] = []
        for (index, path) in export.clinicalRecordPaths.enumerated() {
            guard let relative = Self.insideExport(path) else {
                throw Self.escapingPath(file: name, index: index)
            }
            let file = folder.appendingPathComponent(relative).standardizedFileURL.resolvingSymlinksInPath()
            // Links are followed only while they stay inside the folder; what lies outside is refused
            // with the same message whether or not it exists.
            guard file.path.hasPrefix(folder.path + "/") else { throw Self.escapingPath(file: name, index: index) }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue else {
                clinical.append((path, nil))
                continue
            }
            let label = "\(name) clinical record \(index + 1)"
            _ = try RecordSourceReader.regularFile(file, file: label)
            try FileLimits.require(file, atMost: Self.maximumClinicalRecordSize, file: label)
            clinical.append((path, try? Data(contentsOf: file)))
        }
        try export.addClinicalRecords(clinical)
        return export.finish()
    }

    /// The largest clinical-record file read (each is one FHIR resource of a few KiB; a larger one is
    /// refused, not read into memory).
    static let maximumClinicalRecordSize = 16 << 20

    /// A `resourceFilePath` as a path relative to the export's folder, or nil when it would leave the
    /// folder (`..` steps, a home or drive prefix).
    static func insideExport(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0.hasPrefix("~") || $0.contains("\\") })
        else { return nil }
        return parts.filter { $0 != "." }.joined(separator: "/")
    }

    static func escapingPath(file: String, index: Int) -> IngestError {
        IngestError(
            .malformed,
            file: file,
            location: "clinical record \(index + 1)",
            expected: "a resourceFilePath inside the export (this one leaves it)"
        )
    }

    /// Parses an export.xml document from a stream.
    func parse(stream: InputStream, name: String) throws -> AppleHealthExport {
        let parser = XMLParser(stream: stream)
        let delegate = AppleHealthXMLDelegate(file: name)
        parser.delegate = delegate
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let finished = parser.parse()
        if let failure = delegate.failure { throw failure }
        // The parser does not always report a document that ends inside an element: check the stack.
        guard finished, delegate.sawRoot, delegate.stack.isEmpty else {
            if delegate.sawRoot || parser.parserError != nil {
                throw XMLFailure.error(
                    parser.parserError,
                    file: name,
                    line: parser.lineNumber,
                    column: parser.columnNumber,
                    depth: delegate.stack.count
                )
            }
            throw IngestError(.unsupportedFormat, file: name, expected: "an Apple Health export (<HealthData>)")
        }
        return delegate.export
    }

    private func parseArchive(_ url: URL, name: String) throws -> ParsedSource {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw IngestError(
                .malformed,
                file: name,
                expected: "a ZIP archive (the central directory is missing: damaged or truncated?)",
                underlying: error
            )
        }
        guard
            let entry = archive.first(where: {
                $0.type == .file && ($0.path == "export.xml" || $0.path.hasSuffix("/export.xml"))
            })
        else {
            // Not a Health export: some other archive found in a folder.
            throw IngestError(
                .unsupportedFormat,
                file: name,
                expected: "an Apple Health export.zip (with an export.xml entry)"
            )
        }
        let entryName = "\(name):\(entry.path)"
        let pipe = ZipEntryPipe(archive: archive, entry: entry)
        pipe.start()
        // A failure of the ZIP side (a damaged or truncated archive) explains a parse error too, so it
        // is the one reported, whether or not the parser noticed.
        func damagedArchive() -> IngestError? {
            pipe.cancelAndDrain()
            return pipe.failure.map {
                IngestError(
                    .malformed,
                    file: entryName,
                    expected: "a complete ZIP entry (the archive is damaged or truncated)",
                    underlying: $0
                )
            }
        }
        var export: AppleHealthExport
        do {
            export = try parse(stream: pipe.inputStream, name: entryName)
        } catch {
            throw damagedArchive() ?? error
        }
        if let damaged = damagedArchive() { throw damaged }
        let base = String(entry.path.dropLast("export.xml".count))
        var clinical: [(String, Data?)] = []
        for (index, path) in export.clinicalRecordPaths.enumerated() {
            guard let relative = Self.insideExport(path) else { throw Self.escapingPath(file: name, index: index) }
            let entryPath = base + relative
            guard let fileEntry = archive[entryPath], fileEntry.type == .file else {
                clinical.append((path, nil))
                continue
            }
            let label = "\(name) clinical record \(index + 1)"
            let limit = Self.maximumClinicalRecordSize
            // The size the entry declares is checked first, and the bytes are counted as they come,
            // so a zip bomb (2 GiB inflated from 2 MB) stops at the limit instead of filling memory.
            let tooLarge = IngestError(
                .tooLarge,
                file: label,
                expected: "a clinical record of at most \(limit >> 20) MiB inflated"
            )
            guard fileEntry.uncompressedSize <= UInt64(limit) else { throw tooLarge }
            var data = Data()
            do {
                _ = try archive.extract(fileEntry) { chunk in
                    guard data.count + chunk.count <= limit else { throw tooLarge }
                    data.append(chunk)
                }
            } catch let error as IngestError {
                throw error
            } catch {
                throw IngestError(
                    .malformed,
                    file: label,
                    expected: "a complete ZIP entry (the archive is damaged or truncated)",
                    underlying: error
                )
            }
            clinical.append((path, data))
        }
        try export.addClinicalRecords(clinical)
        return export.finish()
    }
}
