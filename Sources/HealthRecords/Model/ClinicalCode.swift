/// A code from a terminology, with its system.
public struct ClinicalCode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The terminology.
    public var system: CodeSystem
    /// The code itself (`4548-4`, `44054006`).
    public var code: String
    /// The system's display text for the code, when the source gives one.
    public var display: String?

    /// Creates a code.
    public init(system: CodeSystem, code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }

    /// `LOINC 4548-4`.
    public var description: String { "\(system.shortName) \(code)" }
}

/// A terminology, identified by its FHIR URI (and its HL7 OID in C-CDA).
public struct CodeSystem: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The FHIR system URI, or the source's own system string when it is not a known one.
    public var uri: String

    /// Creates a system from a FHIR URI or an OID (`urn:oid:…` or bare), mapping known OIDs to URIs.
    public init(_ uriOrOID: String) {
        let bare = uriOrOID.hasPrefix("urn:oid:") ? String(uriOrOID.dropFirst(8)) : uriOrOID
        self.uri = Self.oidToURI[bare] ?? uriOrOID
    }

    public init(from decoder: any Decoder) throws {
        uri = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(uri)
    }

    public static let loinc = CodeSystem("http://loinc.org")
    public static let snomedCT = CodeSystem("http://snomed.info/sct")
    public static let rxNorm = CodeSystem("http://www.nlm.nih.gov/research/umls/rxnorm")
    public static let cvx = CodeSystem("http://hl7.org/fhir/sid/cvx")
    public static let icd10CM = CodeSystem("http://hl7.org/fhir/sid/icd-10-cm")
    public static let icd10 = CodeSystem("http://hl7.org/fhir/sid/icd-10")
    public static let ucum = CodeSystem("http://unitsofmeasure.org")
    public static let ndc = CodeSystem("http://hl7.org/fhir/sid/ndc")
    public static let healthKit = CodeSystem("http://developer.apple.com/documentation/healthkit")

    /// A short name for display and filtering: `LOINC`, `SNOMED`, `RxNorm`, `CVX`, `ICD-10`.
    public var shortName: String {
        switch uri {
        case Self.loinc.uri: "LOINC"
        case Self.snomedCT.uri: "SNOMED"
        case Self.rxNorm.uri: "RxNorm"
        case Self.cvx.uri: "CVX"
        case Self.icd10CM.uri, Self.icd10.uri: "ICD-10"
        case Self.ucum.uri: "UCUM"
        case Self.ndc.uri: "NDC"
        case Self.healthKit.uri: "HealthKit"
        default: uri
        }
    }

    public var description: String { shortName }

    /// HL7 OIDs of the terminologies C-CDA uses, mapped to their FHIR URIs.
    static let oidToURI: [String: String] = [
        "2.16.840.1.113883.6.1": "http://loinc.org",
        "2.16.840.1.113883.6.96": "http://snomed.info/sct",
        "2.16.840.1.113883.6.88": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "2.16.840.1.113883.12.292": "http://hl7.org/fhir/sid/cvx",
        "2.16.840.1.113883.6.90": "http://hl7.org/fhir/sid/icd-10-cm",
        "2.16.840.1.113883.6.3": "http://hl7.org/fhir/sid/icd-10",
        "2.16.840.1.113883.6.8": "http://unitsofmeasure.org",
        "2.16.840.1.113883.6.69": "http://hl7.org/fhir/sid/ndc",
    ]
}
