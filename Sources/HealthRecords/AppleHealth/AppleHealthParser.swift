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
        // Clinical records beside an unzipped export.xml.
        let folder = url.deletingLastPathComponent()
        let clinical = export.clinicalRecordPaths.map { path -> (String, Data?) in
            let file = folder.appendingPathComponent(String(path.drop { $0 == "/" }))
            return (path, try? Data(contentsOf: file))
        }
        try export.addClinicalRecords(clinical)
        return export.finish()
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
                    path: delegate.currentPath
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
        for path in export.clinicalRecordPaths {
            let entryPath = base + String(path.drop { $0 == "/" })
            guard let fileEntry = archive[entryPath] else {
                clinical.append((path, nil))
                continue
            }
            var data = Data()
            do {
                _ = try archive.extract(fileEntry) { data.append($0) }
            } catch {
                throw IngestError(
                    .malformed,
                    file: "\(name):\(entryPath)",
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
