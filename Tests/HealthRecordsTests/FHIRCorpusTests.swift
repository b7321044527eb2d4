import Foundation
import HealthRecords
import TestSupport
import Testing

/// Every public FHIR sample parses, and the records counted by kind equal the resources in the files.
@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/corpora (public sample records)"))
struct FHIRCorpusTests {
    static let kindOfType: [String: RecordKind] = [
        "Patient": .patient, "Condition": .condition, "Observation": .observation,
        "DiagnosticReport": .diagnosticReport, "MedicationRequest": .medication, "MedicationStatement": .medication,
        "AllergyIntolerance": .allergy, "Immunization": .immunization, "Procedure": .procedure,
        "Encounter": .encounter, "CarePlan": .carePlan, "Goal": .goal, "FamilyMemberHistory": .familyHistory,
        "DocumentReference": .note,
    ]

    /// The resource types a file holds, counted independently of the parser: each NDJSON line's or
    /// each bundle entry's `resourceType`, minus `entered-in-error` ones.
    static func expectedCounts(_ url: URL) throws -> [RecordKind: Int] {
        let data = try Data(contentsOf: url)
        var resources: [[String: Any]] = []
        if url.pathExtension == "ndjson" {
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                resources.append(try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]))
            }
        } else {
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            if object["resourceType"] as? String == "Bundle" {
                for entry in object["entry"] as? [[String: Any]] ?? [] {
                    if let resource = entry["resource"] as? [String: Any] { resources.append(resource) }
                }
            } else {
                resources.append(object)
            }
        }
        var counts: [RecordKind: Int] = [:]
        for resource in resources {
            guard let type = resource["resourceType"] as? String, let kind = kindOfType[type] else { continue }
            if resource["status"] as? String == "entered-in-error" { continue }
            counts[kind, default: 0] += 1
        }
        return counts
    }

    static var corpusFiles: [URL] {
        SharedData.files(under: SharedData.corpus("synthea-bulk-ndjson"), extensions: ["ndjson"]).filter {
            $0.lastPathComponent != "log.ndjson"
        } + SharedData.files(under: SharedData.corpus("fhir-r4-examples"), extensions: ["json"])
            + SharedData.files(under: SharedData.corpus("synthea-bundles"), extensions: ["json"])
    }

    @Test("every Synthea and HL7 FHIR file parses, with one record per modelled resource")
    func everyFileParsesWithExactCounts() throws {
        let files = Self.corpusFiles
        #expect(files.count >= 30)
        for file in files {
            let parsed = try FHIRParser().parse(contentsOf: file)
            let expected = try Self.expectedCounts(file)
            #expect(parsed.countsByKind == expected, "\(file.lastPathComponent)")
        }
    }

    @Test("the blood-pressure example keeps systolic and diastolic with units, and its interpretation")
    func bloodPressureComponents() throws {
        let parsed = try FHIRParser().parse(
            contentsOf: SharedData.corpus("fhir-r4-examples/observation-example-bloodpressure.json")
        )
        let record = try #require(parsed.records.first)
        #expect(record.kind == .observation)
        #expect(record.category == "vital-signs")
        #expect(
            record.codes.first
                == ClinicalCode(
                    system: .loinc,
                    code: "85354-9",
                    display: "Blood pressure panel with all children optional"
                )
        )
        #expect(record.interpretation == "L")
        #expect(FHIRDate.day(try #require(record.date)) == "2012-09-17")
        let systolic = try #require(record.components.first { $0.codes.contains { $0.code == "8480-6" } })
        let diastolic = try #require(record.components.first { $0.codes.contains { $0.code == "8462-4" } })
        #expect(systolic.value?.quantity == Quantity(value: 107, unit: "mmHg"))
        #expect(diastolic.value?.quantity == Quantity(value: 60, unit: "mmHg"))
        #expect(diastolic.interpretation == "L")
    }

    @Test("an allergy keeps its criticality and reactions; a contained Medication names the request")
    func allergyAndContainedMedication() throws {
        let allergy = try #require(
            try FHIRParser().parse(contentsOf: SharedData.corpus("fhir-r4-examples/allergyintolerance-example.json"))
                .records.first
        )
        #expect(allergy.kind == .allergy)
        #expect(allergy.title == "Cashew nuts")
        #expect(allergy.attribute("criticality") == "high")
        #expect(
            allergy.attributes.filter { $0.name == "reaction" }.map(\.value) == [
                "Anaphylactic reaction (severe)", "Urticaria (moderate)",
            ]
        )
        let request = try #require(
            try FHIRParser().parse(contentsOf: SharedData.corpus("fhir-r4-examples/medicationrequest0301.json")).records
                .first
        )
        #expect(request.kind == .medication)
        #expect(request.title == "Oral Form Oxycodone (product)")
        #expect(request.status == "completed")
    }

    @Test("base64 text/plain notes in DocumentReference are decoded")
    func documentReferenceNotes() throws {
        let url = SharedData.corpus("synthea-bulk-ndjson/DocumentReference.000.ndjson")
        let parsed = try FHIRParser().parse(contentsOf: url)
        #expect(!parsed.records.isEmpty)
        #expect(parsed.records.allSatisfy { $0.kind == .note && ($0.text?.isEmpty == false) })
        #expect(parsed.records.contains { $0.text?.contains("# Chief Complaint") == true })
    }

    @Test("a bulk export can be narrowed to one patient")
    func patientFilter() throws {
        let url = SharedData.corpus("synthea-bulk-ndjson/Condition.000.ndjson")
        let all = try FHIRParser().parse(contentsOf: url).records
        let subject = try #require(all.first?.attribute("subject"))
        let patientID = String(subject.dropFirst("Patient/".count))
        let one = try FHIRParser(patientID: patientID).parse(contentsOf: url).records
        #expect(!one.isEmpty && one.count < all.count)
        #expect(one.allSatisfy { $0.attribute("subject") == subject })
        #expect(one.count == all.filter { $0.attribute("subject") == subject }.count)
    }
}
