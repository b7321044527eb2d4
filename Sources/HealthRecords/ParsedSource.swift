/// What a parser produced from one file: its records and what it skipped.
public struct ParsedSource: Sendable {
    /// The file, as the caller named it.
    public var file: String
    /// The normalized records, in the file's order.
    public var records: [ClinicalRecord]
    /// Resource or element types that were recognized as records of a format but are not modelled,
    /// with their counts (`["Device": 3]`). Reported, not fatal.
    public var skippedTypes: [String: Int]
    /// Records dropped on purpose (FHIR `entered-in-error`), counted.
    public var droppedCount: Int

    /// Creates a parse result.
    public init(file: String, records: [ClinicalRecord], skippedTypes: [String: Int] = [:], droppedCount: Int = 0) {
        self.file = file
        self.records = records
        self.skippedTypes = skippedTypes.reduce(into: [:]) { counts, entry in
            counts[Self.reportableTypeName(entry.key), default: 0] += entry.value
        }
        self.droppedCount = droppedCount
    }

    /// A skipped type's name as reports may print it: a name of the formats' own vocabularies (FHIR R4
    /// resource types, Apple Health and C-CDA element names), else `unrecognised type`. A type name
    /// comes from the file, and reports never print values taken from a file.
    static func reportableTypeName(_ name: String) -> String {
        if knownTypeNames.contains(name) { return name }
        // HealthKit's identifiers (`HKQuantityTypeIdentifierStepCount`) are Apple's vocabulary.
        let isHealthKitIdentifier =
            name.hasPrefix("HK") && name.contains("TypeIdentifier") && name.count <= 100
            && name.unicodeScalars.allSatisfy {
                ($0.value >= 65 && $0.value <= 90) || ($0.value >= 97 && $0.value <= 122)
            }
        return isHealthKitIdentifier ? name : "unrecognised type"
    }

    static let knownTypeNames: Set<String> = [
        // FHIR R4 resource types.
        "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
        "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct", "BodyStructure",
        "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry", "ChargeItem",
        "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression", "CodeSystem", "Communication",
        "CommunicationRequest", "CompartmentDefinition", "Composition", "ConceptMap", "Condition", "Consent",
        "Contract", "Coverage", "CoverageEligibilityRequest", "CoverageEligibilityResponse", "DetectedIssue",
        "Device", "DeviceDefinition", "DeviceMetric", "DeviceRequest", "DeviceUseStatement", "DiagnosticReport",
        "DocumentManifest", "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint",
        "EnrollmentRequest", "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence",
        "EvidenceVariable", "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
        "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy", "Immunization",
        "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide", "InsurancePlan",
        "Invoice", "Library", "Linkage", "List", "Location", "Measure", "MeasureReport", "Media", "Medication",
        "MedicationAdministration", "MedicationDispense", "MedicationKnowledge", "MedicationRequest",
        "MedicationStatement", "MedicinalProduct", "MessageDefinition", "MessageHeader", "MolecularSequence",
        "NamingSystem", "NutritionOrder", "Observation", "ObservationDefinition", "OperationDefinition",
        "OperationOutcome", "Organization", "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice",
        "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner", "PractitionerRole", "Procedure",
        "Provenance", "Questionnaire", "QuestionnaireResponse", "RelatedPerson", "RequestGroup",
        "ResearchDefinition", "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment",
        "RiskEvidenceSynthesis", "Schedule", "SearchParameter", "ServiceRequest", "Slot", "Specimen",
        "SpecimenDefinition", "StructureDefinition", "StructureMap", "Subscription", "Substance",
        "SupplyDelivery", "SupplyRequest", "Task", "TerminologyCapabilities", "TestReport", "TestScript",
        "ValueSet", "VerificationResult", "VisionPrescription",
        // Apple Health export elements.
        "ExportDate", "Me", "Record", "Correlation", "Workout", "ActivitySummary", "ClinicalRecord", "Audiogram",
        "SensitivityPoint", "MetadataEntry", "HeartRateVariabilityMetadataList", "WorkoutEvent",
        "WorkoutStatistics", "WorkoutRoute",
        // The parsers' own labels.
        "ClinicalRecord without resourceFilePath", "ClinicalRecord file missing from the export",
        "Record without type or startDate",
        // C-CDA clinical statements.
        "act", "observation", "substanceAdministration", "supply", "procedure", "encounter", "organizer",
        "regionOfInterest", "observationMedia",
    ]

    /// Record counts by kind.
    public var countsByKind: [RecordKind: Int] {
        records.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }
}
