import Foundation
import HealthRecords
import TestSupport
import Testing

/// What FHIR resolves across resources: corrected results, report results, reasons, PDF attachments.
@Suite struct FHIRRevisionTests {
    static let url = SharedData.packageRoot.appendingPathComponent("corpora/fhir/alex-rivera-revisions.json")

    static func resources() throws -> [[String: Any]] {
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return (bundle["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }
    }

    @Test("a corrected result supersedes the earlier version with the same identifier")
    func correctedResult() throws {
        let resources = try Self.resources()
        let corrected = try #require(resources.first { $0["status"] as? String == "corrected" })
        let original = try #require(
            resources.first {
                $0["resourceType"] as? String == "Observation" && $0["status"] as? String == "final"
                    && ($0["identifier"] as? [[String: Any]])?.first?["value"] as? String
                        == (corrected["identifier"] as? [[String: Any]])?.first?["value"] as? String
            }
        )
        let parsed = try FHIRParser().parse(contentsOf: Self.url)
        #expect(parsed.droppedCount == 1)
        #expect(!parsed.records.contains { $0.id.rawValue == "Observation/\(original["id"] as? String ?? "")" })
        let record = try #require(
            parsed.records.first { $0.id.rawValue == "Observation/\(corrected["id"] as? String ?? "")" }
        )
        #expect(record.supersedes == [RecordID("Observation/\(original["id"] as? String ?? "")")])
        let value = try #require((corrected["valueQuantity"] as? [String: Any])?["value"] as? Double)
        #expect(record.value?.quantity?.value == value)
    }

    @Test("a report's results are resolved by fullUrl into its components")
    func reportResults() throws {
        let parsed = try FHIRParser().parse(contentsOf: Self.url)
        let report = try #require(parsed.records.first { $0.kind == .diagnosticReport })
        let observations = parsed.records.filter { $0.kind == .observation }
        #expect(report.components.count == observations.count)
        for observation in observations {
            let component = try #require(report.components.first { $0.title == observation.title })
            #expect(component.value == observation.value)
            #expect(component.referenceRange == observation.referenceRange)
        }
    }

    @Test("MedicationStatement: dosage, period, information source, status reason, resolved reason")
    func medicationStatements() throws {
        let resources = try Self.resources()
        let condition = try #require(resources.first { $0["resourceType"] as? String == "Condition" })
        let conditionText = ((condition["code"] as? [String: Any])?["text"] as? String)
        let parsed = try FHIRParser().parse(contentsOf: Self.url)
        let statements = parsed.records.filter { $0.kind == .medication }
        #expect(statements.count == resources.filter { $0["resourceType"] as? String == "MedicationStatement" }.count)
        let active = try #require(statements.first { $0.status == "active" })
        #expect(active.attribute("reason") == conditionText)
        #expect(active.attribute("reported by") == "patient")
        let stopped = try #require(statements.first { $0.status == "stopped" })
        #expect(stopped.endDate.map(FHIRDate.day) == "2024-03-04")
        #expect(stopped.attribute("status reason") != nil)
        #expect(stopped.attribute("dosage") != nil)
    }

    @Test("a DocumentReference with an application/pdf attachment gets the PDF's text")
    func pdfAttachment() throws {
        let parsed = try FHIRParser().parse(contentsOf: Self.url)
        let note = try #require(parsed.records.first { $0.kind == .note })
        #expect(note.text?.contains("Stop the potassium supplement.") == true)
    }
}
