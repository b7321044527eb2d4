public import Foundation

/// Reads HL7 C-CDA R2.1 XML: whole documents (CCD, discharge summary, progress note, referral, …)
/// and single sections, as the HL7 examples ship them.
///
/// Sections are recognized by their LOINC section code. Entries become records (problems, medications,
/// allergies, results, vital signs, immunizations, procedures, encounters, plan of care, social and
/// family history, goals); a section without modelled entries becomes one note with its narrative.
/// `negationInd="true"` becomes an explicit absence (``Assertion/absent``): "No known allergies" is a
/// record, and "patient does not have diabetes" is not a diabetes record. A section with
/// `nullFlavor="NI"` (no information) yields nothing. Code system OIDs map to FHIR URIs through
/// ``CodeSystem``.
///
/// ```swift
/// let parsed = try CCDAParser().parse(contentsOf: url, displayName: "ccd.xml")
/// ```
public struct CCDAParser: Sendable {
    /// The largest file read (the document is held as a tree while mapped): 256 MiB.
    public static let maximumFileSize = 256 << 20

    /// Creates a parser.
    public init() {}

    /// Parses a C-CDA file.
    /// - Parameters:
    ///   - url: the XML file.
    ///   - displayName: the name errors and provenance use; defaults to the last path component.
    /// - Returns: the records of every section.
    /// - Throws: ``IngestError``: `.tooLarge` before reading a file over ``maximumFileSize``, `.malformed`
    ///   with line, column and element path, `.unsupportedFormat` when the XML is not CDA.
    public func parse(contentsOf url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        try FileLimits.require(url, atMost: Self.maximumFileSize, file: name)
        let tree = try XMLTree.read(contentsOf: url, file: name)
        return try parse(tree: tree, file: name)
    }

    /// Parses C-CDA XML from memory.
    public func parse(data: Data, displayName name: String) throws -> ParsedSource {
        try parse(tree: XMLTree.read(data: data, file: name), file: name)
    }

    func parse(tree root: XMLTree, file: String) throws -> ParsedSource {
        var mapper = CCDAEntryMapper(file: file)
        switch root.localName {
        case "ClinicalDocument":
            mapper.documentDate = root.child("effectiveTime")?["value"].flatMap(CCDADate.parse)
            if let patient = root.descendant("recordTarget", "patientRole") { mapper.mapPatient(patient) }
            for section in root.descendants(where: { $0.localName == "section" }) {
                mapper.map(section: section)
            }
        case "section":
            mapper.map(section: root)
        case "component":
            let sections = root.descendants { $0.localName == "section" }
            guard !sections.isEmpty else { throw Self.notCDA(root, file: file) }
            for section in sections { mapper.map(section: section) }
        default:
            throw Self.notCDA(root, file: file)
        }
        return ParsedSource(file: file, records: mapper.records, skippedTypes: mapper.skipped)
    }

    static func notCDA(_ root: XMLTree, file: String) -> IngestError {
        IngestError(
            .unsupportedFormat,
            file: file,
            location: root.path,
            expected: "a C-CDA ClinicalDocument or section"
        )
    }
}
