public import Foundation

/// Picks the parser for a file and runs it.
///
/// Today: FHIR R4 JSON and NDJSON. Other formats (C-CDA, Apple Health, CSV, documents) plug in here.
public struct RecordSourceReader: Sendable {
    /// Options passed to the FHIR parser.
    public var fhir: FHIRParser

    /// Creates a reader.
    /// - Parameter patientID: keep only this patient's resources from multi-patient files.
    public init(patientID: String? = nil) {
        self.fhir = FHIRParser(patientID: patientID)
    }

    /// Whether this reader has a parser for the file, by its name.
    public func canRead(_ url: URL) -> Bool {
        ["json", "ndjson"].contains(url.pathExtension.lowercased())
    }

    /// Parses a file with the parser its name and content call for.
    /// - Throws: ``IngestError`` (`unsupportedFormat` for a file no parser reads).
    public func read(_ url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "json", "ndjson":
            return try fhir.parse(contentsOf: url, displayName: name)
        default:
            throw IngestError(
                .unsupportedFormat,
                file: name,
                expected: "a FHIR R4 .json or .ndjson file (other formats are not supported yet)"
            )
        }
    }
}
