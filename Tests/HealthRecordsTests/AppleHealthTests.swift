import Foundation
import HealthRecords
import TestSupport
import Testing
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Apple Health exports: the public export.xml fixtures, the project's export.zip, overlapping devices,
/// and damaged input.
@Suite struct AppleHealthTests {
    static func attributes(of element: String, in url: URL) throws -> [[String: String]] {
        let document = try XMLDocument(contentsOf: url, options: [])
        return try document.nodes(forXPath: "/HealthData/\(element)").compactMap { node in
            guard let element = node as? XMLElement else { return nil }
            var attributes: [String: String] = [:]
            for attribute in element.attributes ?? [] {
                if let name = attribute.name { attributes[name] = attribute.stringValue }
            }
            return attributes
        }
    }

    @Test(
        "the public export.xml fixtures: one summary per type and day, workouts, activity rings, profile",
        .enabled(if: SharedData.isAvailable, "needs ../shared/corpora"),
        arguments: ["apple-health/export.xml", "apple-health/zip_contents/apple_health_export/export.xml"]
    )
    func publicFixtures(path: String) throws {
        let url = SharedData.corpus(path)
        let parsed = try RecordSourceReader().read(url)
        let samples = try Self.attributes(of: "Record", in: url)
        let typeDays = Set(samples.map { "\($0["type"] ?? "")|\($0["startDate"]?.prefix(10) ?? "")" })
        let summaries = parsed.records.filter { $0.provenance.location?.hasPrefix("daily summary") == true }
        #expect(summaries.count == typeDays.count)
        for sample in samples {
            let day = String(sample["startDate"]?.prefix(10) ?? "")
            let summary = try #require(
                summaries.first { $0.codes.first?.code == sample["type"] && FHIRDate.day($0.date!) == day }
            )
            let value = try #require(sample["value"].flatMap(Double.init))
            #expect(abs((summary.value?.quantity?.value ?? -1) - value) < 0.01)
        }
        let workouts = try Self.attributes(of: "Workout", in: url)
        #expect(parsed.records.filter { $0.kind == .workout }.count == workouts.count)
        let running = try #require(parsed.records.first { $0.kind == .workout })
        #expect(running.title == "Running")
        let rings = try Self.attributes(of: "ActivitySummary", in: url)
        let activity = parsed.records.filter { $0.provenance.resourceType == "ActivitySummary" }
        #expect(activity.count == rings.count)
        for (ring, record) in zip(rings, activity) {
            let energy = try #require(ring["activeEnergyBurned"].flatMap(Double.init))
            #expect(abs((record.components.first?.value?.quantity?.value ?? 0) - energy) < 0.1)
            #expect(FHIRDate.day(try #require(record.date)) == ring["dateComponents"])
        }
        let profile = try #require(parsed.records.first { $0.kind == .patient })
        #expect(profile.attribute("sex") == "Male")
    }

    /// An export.xml with a watch and a phone counting the same hour of steps, and heart rate from both.
    static func overlappingExport() -> (xml: String, expectedSteps: Double, expectedMeanHeartRate: Double) {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#, #"<HealthData locale="en_US">"#]
        func sample(_ type: String, _ source: String, _ unit: String, _ time: String, _ value: Double) {
            lines.append(
                #"<Record type="\#(type)" sourceName="\#(source)" unit="\#(unit)" startDate="2024-03-01 \#(time):00 -0600" endDate="2024-03-01 \#(time):00 -0600" value="\#(value)"/>"#
            )
        }
        // 08:00–09:00: the watch counts 6 × 100, the phone 5 × 110 over the same walk.
        for minute in stride(from: 0, to: 60, by: 10) {
            sample("HKQuantityTypeIdentifierStepCount", "Watch", "count", String(format: "08:%02d", minute), 100)
        }
        for minute in stride(from: 0, to: 50, by: 10) {
            sample("HKQuantityTypeIdentifierStepCount", "Phone", "count", String(format: "08:%02d", minute), 110)
        }
        // 09:00–10:00: only the phone (the watch was charging): 3 × 100.
        for minute in [5, 25, 45] {
            sample("HKQuantityTypeIdentifierStepCount", "Phone", "count", String(format: "09:%02d", minute), 100)
        }
        // Heart rate: the watch 4 readings in the hour, the phone 1 in the same hour.
        for (minute, bpm) in [(0, 60.0), (15, 70), (30, 80), (45, 90)] {
            sample("HKQuantityTypeIdentifierHeartRate", "Watch", "count/min", String(format: "10:%02d", minute), bpm)
        }
        sample("HKQuantityTypeIdentifierHeartRate", "Phone", "count/min", "10:20", 150)
        lines.append("</HealthData>")
        return (lines.joined(separator: "\n"), 6 * 100 + 3 * 100, (60 + 70 + 80 + 90) / 4)
    }

    @Test("overlapping devices are not added up: one source per type and hour")
    func overlappingSources() throws {
        let (xml, expectedSteps, expectedHeartRate) = Self.overlappingExport()
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("export.xml")
        try Data(xml.utf8).write(to: url)
        let parsed = try AppleHealthParser().parse(contentsOf: url)
        let steps = try #require(parsed.records.first { $0.codes.first?.code == "HKQuantityTypeIdentifierStepCount" })
        #expect(steps.value?.quantity?.value == expectedSteps)
        #expect(steps.attribute("source") == "Phone, Watch")
        let heartRate = try #require(
            parsed.records.first { $0.codes.first?.code == "HKQuantityTypeIdentifierHeartRate" }
        )
        #expect(heartRate.value?.quantity == Quantity(value: expectedHeartRate, unit: "/min"))
        #expect(heartRate.category == "vital-signs")
        #expect(heartRate.codes.contains(ClinicalCode(system: .loinc, code: "8867-4", display: "Heart rate")))
        #expect(
            heartRate.components.map(\.value) == [
                .quantity(Quantity(value: 60, unit: "/min")), .quantity(Quantity(value: 90, unit: "/min")),
            ]
        )
    }

    static let projectZip = SharedData.packageRoot.appendingPathComponent("corpora/apple-health/export.zip")

    @Test("export.zip is read as a stream and gives the same records as its unzipped folder, clinical records included")
    func zipMatchesUnzipped() throws {
        let zipped = try RecordSourceReader().read(Self.projectZip)
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.unzipItem(at: Self.projectZip, to: folder)
        let xml = folder.appendingPathComponent("apple_health_export/export.xml")
        let unzipped = try RecordSourceReader().read(xml, displayName: "export.zip")
        #expect(zipped.records.map(\.id) == unzipped.records.map(\.id))
        #expect(zipped.records.map(\.value) == unzipped.records.map(\.value))
        let references = try Self.attributes(of: "ClinicalRecord", in: xml)
        let labs = zipped.records.filter { $0.provenance.location?.hasPrefix("/clinical-records/") == true }
        #expect(labs.count == references.count)
        for reference in references {
            let path = try #require(reference["resourceFilePath"])
            let json =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: folder.appendingPathComponent("apple_health_export" + path))
                ) as? [String: Any]
            let value = try #require((json?["valueQuantity"] as? [String: Any])?["value"] as? Double)
            let record = try #require(labs.first { $0.provenance.location == path })
            #expect(record.value?.quantity?.value == value)
            #expect(record.category == "laboratory")
        }
        // The export's blood pressures sit both in a Correlation and at the top level: counted once.
        let systolic = zipped.records.filter { $0.codes.first?.code == "HKQuantityTypeIdentifierBloodPressureSystolic" }
        #expect(systolic.allSatisfy { $0.attribute("aggregation") == nil })
        // export_cda.xml repeats export.xml and is not read on its own.
        #expect(!RecordSourceReader().canRead(folder.appendingPathComponent("apple_health_export/export_cda.xml")))
        #expect(
            !RecordSourceReader().canRead(
                folder.appendingPathComponent("apple_health_export/clinical-records/Observation-TSH-2023.json")
            )
        )
    }

    @Test("a truncated zip and a truncated export.xml are malformed, named, and located")
    func damagedInput() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: Self.projectZip)
        let truncatedZip = folder.appendingPathComponent("export.zip")
        try bytes.prefix(bytes.count / 2).write(to: truncatedZip)
        let zipError = try #require(throws: IngestError.self) {
            try RecordSourceReader().read(truncatedZip, displayName: "me/export.zip")
        }
        #expect(zipError.code == .malformed)
        #expect(zipError.description.contains("me/export.zip"))

        let otherZip = folder.appendingPathComponent("photos.zip")
        let archive = try Archive(url: otherZip, accessMode: .create)
        try archive.addEntry(with: "a.txt", type: .file, uncompressedSize: Int64(1)) { _, _ in Data("x".utf8) }
        let otherError = try #require(throws: IngestError.self) { try RecordSourceReader().read(otherZip) }
        #expect(otherError.code == .unsupportedFormat)

        let (xml, _, _) = Self.overlappingExport()
        let truncatedXML = folder.appendingPathComponent("export.xml")
        try Data(xml.prefix(xml.count - 200).utf8).write(to: truncatedXML)
        let xmlError = try #require(throws: IngestError.self) {
            try RecordSourceReader().read(truncatedXML)
        }
        #expect(xmlError.code == .malformed)
        #expect(xmlError.location?.contains("element depth") == true)
        #expect(!xmlError.description.contains("StepCount"))
    }
}
