import Foundation
import HealthRecords
import TestSupport
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every HL7 C-CDA example parses; entry counts and chosen values match the XML, read independently
/// with XPath.
@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/corpora (public sample records)"))
struct CCDACorpusTests {
    static var files: [URL] { SharedData.files(under: SharedData.corpus("ccda-examples"), extensions: ["xml"]) }

    /// Templates of the entries that become one record each, with the record kind.
    static let templates: [(root: String, kind: RecordKind)] = [
        ("2.16.840.1.113883.10.20.22.4.7", .allergy),
        ("2.16.840.1.113883.10.20.22.4.16", .medication),
        ("2.16.840.1.113883.10.20.22.4.52", .immunization),
        ("2.16.840.1.113883.10.20.22.4.27", .observation),
    ]

    /// An XML document read by libxml2 through Foundation's XMLDocument (not the parser under test).
    static func document(_ url: URL) throws -> XMLDocument {
        var text = try String(contentsOf: url, encoding: .utf8)
        // The HL7 section examples use the xsi prefix without declaring it.
        if !text.contains("xmlns:xsi") {
            text = text.replacingOccurrences(of: "xsi:type", with: "xsitype")
        }
        return try XMLDocument(xmlString: text, options: [])
    }

    static func count(_ document: XMLDocument, template root: String, element: String) throws -> Int {
        try document.nodes(
            forXPath: "//*[local-name()='\(element)'][*[local-name()='templateId'][@root='\(root)']]"
        ).count
    }

    @Test("all C-CDA examples parse")
    func everyFileParses() throws {
        let files = Self.files
        #expect(files.count >= 60)
        for file in files {
            let parsed = try RecordSourceReader().read(file)
            let isNoInformation = file.lastPathComponent.hasPrefix("No Information")
            #expect(parsed.records.isEmpty == isNoInformation, "\(file.lastPathComponent)")
        }
    }

    @Test("section examples: one record per allergy, medication, immunization and vital-sign entry")
    func sectionEntryCounts() throws {
        let sectionFiles = Self.files.filter { !$0.path.contains("/Documents/") }
        for file in sectionFiles {
            let parsed = try CCDAParser().parse(contentsOf: file)
            let document = try Self.document(file)
            for (root, kind) in Self.templates {
                let element = kind == .medication || kind == .immunization ? "substanceAdministration" : "observation"
                var expected = try Self.count(document, template: root, element: element)
                if kind == .observation, file.path.contains("/Vital Signs/") {
                    // A vital-signs panel may carry a result observation (a rhythm strip): a vital sign too.
                    expected += try Self.count(document, template: "2.16.840.1.113883.10.20.22.4.2", element: element)
                }
                guard expected > 0 else { continue }
                let actual = parsed.records.filter { $0.kind == kind && $0.category != "laboratory" }.count
                #expect(actual == expected, "\(file.lastPathComponent) \(kind)")
            }
            let results = try Self.count(document, template: "2.16.840.1.113883.10.20.22.4.2", element: "observation")
            if results > 0, file.path.contains("/Results/") {
                #expect(
                    parsed.records.filter { $0.category == "laboratory" && $0.kind == .observation }.count == results
                )
            }
        }
    }

    @Test("No Known Allergies is an explicit absence, not an allergy")
    func noKnownAllergies() throws {
        let url = SharedData.corpus(
            "ccda-examples/Allergies/No Known Allergies/No Known Allergies with Author Timestamp(C-CDA2.1).xml"
        )
        let records = try CCDAParser().parse(contentsOf: url).records
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.kind == .allergy)
        #expect(record.assertion == .absent)
        #expect(record.title == "No known allergies")
        #expect(RecordRenderer.text(for: record).contains("stated absent"))
    }

    @Test("'Patient does not have diabetes' is an absent diabetes condition, with its SNOMED code")
    func negatedProblem() throws {
        let url = SharedData.corpus(
            "ccda-examples/Problems/Patient Does Not Have Diabetes/Patient Does Not Have Diabetes(C-CDA2.1).xml"
        )
        let document = try Self.document(url)
        let value = try #require(
            try document.nodes(forXPath: "//*[local-name()='observation'][@negationInd='true']/*[local-name()='value']")
                .first as? XMLElement
        )
        let record = try #require(try CCDAParser().parse(contentsOf: url).records.first)
        #expect(record.kind == .condition)
        #expect(record.assertion == .absent)
        #expect(record.title == value.attribute(forName: "displayName")?.stringValue)
        #expect(
            record.codes.first
                == ClinicalCode(
                    system: .snomedCT,
                    code: try #require(value.attribute(forName: "code")?.stringValue),
                    display: value.attribute(forName: "displayName")?.stringValue
                )
        )
    }

    @Test("an allergy keeps its substance (RxNorm) and each reaction with its severity")
    func allergyReactions() throws {
        let url = SharedData.corpus(
            "ccda-examples/Allergies/Allergy to specific drug Codeine/Allergy to specific drug Codeine(C-CDA2.1).xml"
        )
        let document = try Self.document(url)
        let reactions = try document.nodes(
            forXPath:
                "//*[local-name()='observation'][*[local-name()='templateId'][@root='2.16.840.1.113883.10.20.22.4.9']]/*[local-name()='value']/@displayName"
        ).compactMap(\.stringValue)
        let record = try #require(try CCDAParser().parse(contentsOf: url).records.first)
        #expect(record.codes.first?.system == .rxNorm)
        #expect(record.title.lowercased() == "codeine")
        let recorded = record.attributes.filter { $0.name == "reaction" }.map(\.value)
        #expect(recorded.count == reactions.count)
        for (text, reaction) in zip(recorded, reactions) { #expect(text.hasPrefix(reaction)) }
    }

    @Test("results keep value, unit, reference range and interpretation; panels become reports")
    func basicMetabolicPanel() throws {
        let url = SharedData.corpus(
            "ccda-examples/Results/Results of Basic Metabolic Panel and Troponin/Basic Metabolic Panel with Troponin(C-CDA2.1).xml"
        )
        let document = try Self.document(url)
        let parsed = try CCDAParser().parse(contentsOf: url)
        let observations = try document.nodes(
            forXPath:
                "//*[local-name()='observation'][*[local-name()='templateId'][@root='2.16.840.1.113883.10.20.22.4.2']]"
        ).compactMap { $0 as? XMLElement }
        let labs = parsed.records.filter { $0.kind == .observation }
        #expect(labs.count == observations.count)
        for (element, record) in zip(observations, labs) {
            let code = try #require(element.elements(forName: "code").first?.attribute(forName: "code")?.stringValue)
            #expect(record.codes.first?.code == code)
            #expect(record.codes.first?.system == .loinc)
            let value = try #require(element.elements(forName: "value").first)
            if let number = value.attribute(forName: "value")?.stringValue.flatMap(Double.init) {
                #expect(record.value?.quantity?.value == number)
            }
            let flag = element.elements(forName: "interpretationCode").first?.attribute(forName: "code")?.stringValue
            #expect(record.interpretation == flag)
        }
        let reports = parsed.records.filter { $0.kind == .diagnosticReport }
        #expect(reports.reduce(0) { $0 + $1.components.count } == labs.count)
    }

    @Test("a refused immunization is an absence with its reason; CVX codes map from their OID")
    func refusedImmunization() throws {
        let url = SharedData.corpus(
            "ccda-examples/Immunizations/Immunization not given Patient refused/Immunization not given Patient refused(C-CDA2.1).xml"
        )
        let record = try #require(try CCDAParser().parse(contentsOf: url).records.first)
        #expect(record.kind == .immunization)
        #expect(record.assertion == .absent)
        #expect(record.codes.first?.system == .cvx)
        #expect(record.attribute("reason") != nil)
    }

    @Test("a full CCD yields the patient, problems, medications and narrative sections as notes")
    func fullDocument() throws {
        let url = SharedData.corpus("ccda-examples/Documents/CCD/CCD 1/CCD.XML")
        let parsed = try CCDAParser().parse(contentsOf: url)
        let document = try Self.document(url)
        let given = try document.nodes(
            forXPath:
                "//*[local-name()='recordTarget']//*[local-name()='patient']/*[local-name()='name']/*[local-name()='given']"
        ).first?.stringValue
        let patient = try #require(parsed.records.first { $0.kind == .patient })
        #expect(patient.title.hasPrefix(try #require(given)))
        #expect(parsed.records.contains { $0.kind == .condition })
        #expect(parsed.records.contains { $0.kind == .medication })
        #expect(parsed.records.contains { $0.kind == .note && $0.text?.isEmpty == false })
        #expect(parsed.records.allSatisfy { $0.provenance.location?.hasPrefix("/ClinicalDocument") == true })
    }
}
