public import Foundation

/// Reads FHIR R4 JSON: a Bundle of any type, a single resource, or bulk NDJSON (one resource a line).
///
/// Each resource becomes at most one ``ClinicalRecord``. Resources of types that are not modelled
/// (Organization, Practitioner, Claim, …) are counted in ``ParsedSource/skippedTypes``;
/// `entered-in-error` resources are dropped and counted.
///
/// ```swift
/// let parsed = try FHIRParser().parse(contentsOf: url, displayName: "patient.json")
/// print(parsed.countsByKind)
/// ```
public struct FHIRParser: Sendable {
    /// When set, only resources about this patient (by `Patient` id) are kept: bulk exports hold
    /// many people, and a space holds one.
    public var patientID: String?

    /// Creates a parser.
    /// - Parameter patientID: keep only this patient's resources (for multi-patient bulk exports).
    public init(patientID: String? = nil) {
        self.patientID = patientID
    }

    /// Parses a FHIR JSON or NDJSON file.
    /// - Parameters:
    ///   - url: the file.
    ///   - displayName: the name errors and provenance use for the file; defaults to its last path component.
    /// - Returns: the records and the skipped resource types.
    /// - Throws: ``IngestError`` naming the file and the JSON path (or line) of the first problem.
    public func parse(contentsOf url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw IngestError(.unreadable, file: name, underlying: error)
        }
        let isNDJSON = url.pathExtension.lowercased() == "ndjson"
        return try parse(data: data, displayName: name, ndjson: isNDJSON)
    }

    /// Parses FHIR JSON (or NDJSON when `ndjson` is true) from memory.
    public func parse(data: Data, displayName name: String, ndjson: Bool = false) throws -> ParsedSource {
        var builder = FHIRRecordBuilder(file: name, patientID: patientID)
        if ndjson {
            var lineNumber = 0
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == 9 }
                if trimmed.isEmpty || trimmed.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                    continue
                }
                let object = try Self.jsonObject(Data(line), file: name, location: "line \(lineNumber)")
                let node = JSONNode(value: object, path: "line \(lineNumber): $")
                if builder.isEmpty { try Self.requireFHIR(node, file: name) }
                try builder.add(resource: node)
            }
        } else {
            let object = try Self.jsonObject(data, file: name, location: nil)
            let node = JSONNode(value: object, path: "$")
            try Self.requireFHIR(node, file: name)
            try builder.add(resource: node)
        }
        return builder.finish()
    }

    /// A file whose first object has no `resourceType` is not FHIR at all (a bulk export's log, another
    /// app's JSON): that is an unsupported format, not a malformed FHIR file.
    static func requireFHIR(_ node: JSONNode, file: String) throws {
        guard node["resourceType"]?.string != nil else {
            throw IngestError(
                .unsupportedFormat,
                file: file,
                location: node.path,
                expected: "a FHIR resource with a resourceType (this JSON is not FHIR)"
            )
        }
    }

    static func jsonObject(_ data: Data, file: String, location: String?) throws -> Any {
        let text = try TextDecoding.decodeJSONText(data, file: file)
        do {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
            guard object is [String: Any] else {
                throw IngestError(
                    .unexpectedStructure,
                    file: file,
                    location: (location.map { $0 + ": " } ?? "") + "$",
                    expected: "a JSON object with a resourceType"
                )
            }
            return object
        } catch let error as IngestError {
            throw error
        } catch {
            let place = Self.lineAndColumn(in: error)
            let where_ = [location, place].compactMap(\.self).joined(separator: ", ")
            throw IngestError(
                .malformed,
                file: file,
                location: where_.isEmpty ? nil : where_,
                expected: "well-formed JSON (the document is invalid or truncated)",
                underlying: error
            )
        }
    }

    /// "line 3, column 17" from a JSONSerialization error, without the quoted character it may hold.
    static func lineAndColumn(in error: any Error) -> String? {
        let text = String(describing: error)
        guard let range = text.range(of: #"line \d+, column \d+"#, options: .regularExpression) else {
            guard let byte = text.range(of: #"(?:index|offset) \d+"#, options: .regularExpression),
                let number = text[byte].split(separator: " ").last
            else { return nil }
            return "byte \(number)"
        }
        return String(text[range])
    }
}
