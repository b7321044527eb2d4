import Foundation

/// Turns FHIR resources (as parsed JSON) into records, one resource at a time.
struct FHIRRecordBuilder {
    let file: String
    let patientID: String?
    private(set) var records: [ClinicalRecord] = []
    private(set) var skipped: [String: Int] = [:]
    private(set) var dropped = 0
    /// Contained and bundled Medication resources, by reference, for `medicationReference`.
    private var medications: [String: JSONNode] = [:]

    init(file: String, patientID: String?) {
        self.file = file
        self.patientID = patientID
    }

    static let modelledTypes: Set<String> = [
        "Patient", "Condition", "Observation", "DiagnosticReport", "MedicationRequest", "MedicationStatement",
        "AllergyIntolerance", "Immunization", "Procedure", "Encounter", "CarePlan", "Goal", "FamilyMemberHistory",
        "DocumentReference",
    ]

    /// Whether nothing has been added yet.
    var isEmpty: Bool { records.isEmpty && skipped.isEmpty && dropped == 0 && medications.isEmpty }

    /// What resolves references and supersessions once the whole input is read.
    private var resolver = FHIRReferenceResolver()

    mutating func add(resource node: JSONNode, fullURL: String? = nil) throws {
        guard let type = node["resourceType"]?.string else {
            throw IngestError(
                .unexpectedStructure,
                file: file,
                location: node.path,
                expected: "a FHIR resource with a resourceType"
            )
        }
        if type == "Bundle" {
            guard let entries = node["entry"] else { return }
            guard entries.value is [Any] else {
                throw IngestError(.unexpectedStructure, file: file, location: entries.path, expected: "an array")
            }
            let resources = entries.array.compactMap { $0["resource"] }
            // Medications first, so that requests anywhere in the bundle can resolve their references.
            for resource in resources where resource["resourceType"]?.string == "Medication" {
                if let id = resource["id"]?.string { medications["Medication/\(id)"] = resource }
                if let fullURL = resource["fullUrl"]?.string { medications[fullURL] = resource }
            }
            for entry in entries.array {
                guard let resource = entry["resource"] else { continue }
                if let fullURL = entry["fullUrl"]?.string, resource["resourceType"]?.string == "Medication" {
                    medications[fullURL] = resource
                }
                try add(resource: resource, fullURL: entry["fullUrl"]?.string)
            }
            return
        }
        if type == "Medication" {
            if let id = node["id"]?.string { medications["Medication/\(id)"] = node }
            return
        }
        guard Self.modelledTypes.contains(type) else {
            skipped[type, default: 0] += 1
            return
        }
        if let patientID, !belongs(node, type: type, to: patientID) { return }
        if Self.status(of: node) == "entered-in-error" {
            dropped += 1
            return
        }
        if let record = try FHIRResourceMapper(file: file, node: node, type: type, medications: medications).record() {
            resolver.register(record, index: records.count, node: node, type: type, fullURL: fullURL)
            records.append(record)
        }
    }

    private func belongs(_ node: JSONNode, type: String, to patientID: String) -> Bool {
        if type == "Patient" { return node["id"]?.string == patientID }
        let reference = (node["subject"] ?? node["patient"])?["reference"]?.string ?? ""
        return reference == "Patient/\(patientID)" || reference.hasSuffix(":\(patientID)")
    }

    static func status(of node: JSONNode) -> String? {
        if let status = node["status"]?.string { return status }
        if let status = node["verificationStatus"]?["coding"]?.array.first?["code"]?.string { return status }
        return nil
    }

    func finish() -> ParsedSource {
        let (resolved, superseded) = resolver.resolve(records)
        return ParsedSource(file: file, records: resolved, skippedTypes: skipped, droppedCount: dropped + superseded)
    }
}
