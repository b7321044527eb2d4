public import Foundation

/// A stable identifier of one normalized record, unique within a space.
public struct RecordID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The identifier's text.
    public var rawValue: String

    /// Creates a record identifier from its text.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a record is, independent of the format it came from.
public enum RecordKind: String, Codable, Sendable, CaseIterable, Comparable {
    case patient
    case condition
    case observation
    case diagnosticReport = "diagnostic-report"
    case medication
    case allergy
    case immunization
    case procedure
    case encounter
    case carePlan = "care-plan"
    case goal
    case familyHistory = "family-history"
    case note
    case workout
    case activity
    case nutrition

    /// A short human-readable name ("lab or vital", "medication", …).
    public var displayName: String {
        switch self {
        case .patient: "patient"
        case .condition: "condition"
        case .observation: "observation"
        case .diagnosticReport: "diagnostic report"
        case .medication: "medication"
        case .allergy: "allergy"
        case .immunization: "immunization"
        case .procedure: "procedure"
        case .encounter: "encounter"
        case .carePlan: "care plan"
        case .goal: "goal"
        case .familyHistory: "family history"
        case .note: "note"
        case .workout: "workout"
        case .activity: "activity"
        case .nutrition: "nutrition"
        }
    }

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Whether a record states that something is present, or explicitly that it is absent.
///
/// "No known allergies" and "patient does not have diabetes" are records too: they assert an
/// absence, which is different from having no information at all.
public enum Assertion: String, Codable, Sendable {
    case present
    case absent
}

/// One normalized clinical fact: what it is, when, its codes and value, and where it came from.
///
/// Every parser produces this one model; nothing downstream knows the source format except
/// through ``provenance``.
public struct ClinicalRecord: Hashable, Sendable, Codable {
    /// The record's stable identifier (source-specific, unique within a space).
    public var id: RecordID
    /// What kind of fact this is.
    public var kind: RecordKind
    /// The display text: the condition's name, the test's name, the drug, the patient's name.
    public var title: String
    /// Codes with their systems (LOINC, SNOMED CT, RxNorm, CVX, ICD-10, …).
    public var codes: [ClinicalCode]
    /// A sub-category, such as `laboratory` or `vital-signs` for an observation.
    public var category: String?
    /// The status as the source states it (`active`, `resolved`, `final`, `completed`, …).
    public var status: String?
    /// When the fact holds or happened: onset, effective time, administration, period start.
    public var date: Date?
    /// When it ended (abatement, period end), if stated.
    public var endDate: Date?
    /// The value, for observations and samples.
    public var value: RecordValue?
    /// Components (systolic and diastolic blood pressure, panel members).
    public var components: [RecordComponent]
    /// The normal range stated with the value.
    public var referenceRange: ReferenceRange?
    /// The interpretation flag (`H`, `L`, `HH`, `LL`, `N`, `A`, …).
    public var interpretation: String?
    /// Whether the record asserts presence or an explicit absence.
    public var assertion: Assertion
    /// Narrative text: a note's body, a report's conclusion.
    public var text: String?
    /// Other attributes worth citing (dosage, reaction, criticality, performer), in a stable order.
    public var attributes: [RecordAttribute]
    /// Records that this one replaces (an amended result, a newer medication status).
    public var supersedes: [RecordID]
    /// Where the fact came from.
    public var provenance: Provenance

    /// Creates a record.
    public init(
        id: RecordID,
        kind: RecordKind,
        title: String,
        codes: [ClinicalCode] = [],
        category: String? = nil,
        status: String? = nil,
        date: Date? = nil,
        endDate: Date? = nil,
        value: RecordValue? = nil,
        components: [RecordComponent] = [],
        referenceRange: ReferenceRange? = nil,
        interpretation: String? = nil,
        assertion: Assertion = .present,
        text: String? = nil,
        attributes: [RecordAttribute] = [],
        supersedes: [RecordID] = [],
        provenance: Provenance
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.codes = codes
        self.category = category
        self.status = status
        self.date = date
        self.endDate = endDate
        self.value = value
        self.components = components
        self.referenceRange = referenceRange
        self.interpretation = interpretation
        self.assertion = assertion
        self.text = text
        self.attributes = attributes
        self.supersedes = supersedes
        self.provenance = provenance
    }

    /// The value of the first attribute with this name.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}

/// A named attribute of a record ("dosage", "reaction", "criticality").
public struct RecordAttribute: Hashable, Sendable, Codable {
    /// The attribute's name.
    public var name: String
    /// Its value as text.
    public var value: String

    /// Creates an attribute.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Where a record came from: the file, the resource id inside it, and the place in the file.
public struct Provenance: Hashable, Sendable, Codable {
    /// The source file's name as ingested (a path relative to what the caller named).
    public var sourceFile: String
    /// The resource's own id in the source (FHIR `id`, C-CDA `id/@root`), when it has one.
    public var resourceID: String?
    /// The source's type name for the record (`Observation`, `HKQuantityTypeIdentifierHeartRate`).
    public var resourceType: String?
    /// The place inside the file: a JSON path, a line, or an XML element path.
    public var location: String?

    /// Creates a provenance.
    public init(sourceFile: String, resourceID: String? = nil, resourceType: String? = nil, location: String? = nil) {
        self.sourceFile = sourceFile
        self.resourceID = resourceID
        self.resourceType = resourceType
        self.location = location
    }
}
