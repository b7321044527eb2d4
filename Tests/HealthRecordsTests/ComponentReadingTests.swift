import Foundation
import HealthRecords
import TestSupport
import Testing

/// Multi-component observations are read by their components' codes, never by their order in the file.
@Suite struct ComponentReadingTests {
    static let provenance = Provenance(sourceFile: "bp.json", resourceID: "bp", resourceType: "Observation")

    static func pressure(diastolicFirst: Bool) -> ClinicalRecord {
        let systolic = RecordComponent(
            title: "Systolic Blood Pressure",
            codes: [ClinicalCode(system: .loinc, code: "8480-6")],
            value: .quantity(Quantity(value: 157, unit: "mm[Hg]"))
        )
        let diastolic = RecordComponent(
            title: "Diastolic Blood Pressure",
            codes: [ClinicalCode(system: .loinc, code: "8462-4")],
            value: .quantity(Quantity(value: 96, unit: "mm[Hg]"))
        )
        var record = ClinicalRecord(
            id: RecordID("Observation/bp"),
            kind: .observation,
            title: "Blood Pressure",
            provenance: provenance
        )
        record.category = "vital-signs"
        record.codes = [ClinicalCode(system: .loinc, code: "85354-9")]
        record.date = FHIRDate.parse("2024-05-01")
        record.components = diastolicFirst ? [diastolic, systolic] : [systolic, diastolic]
        return record
    }

    @Test("a blood pressure reads systolic/diastolic in either component order: value, fact card, snapshot")
    func bothOrders() throws {
        for diastolicFirst in [true, false] {
            let record = Self.pressure(diastolicFirst: diastolicFirst)
            #expect(ComponentReading.valueText(of: record) == "157/96 mm[Hg]")
            let card = RecordRenderer.text(for: record)
            #expect(card.contains("= 157/96 mm[Hg]"))
            #expect(!card.contains("96/157"))
            let lines = card.split(separator: "\n")
            let systolicLine = try #require(lines.firstIndex { $0.hasPrefix("- Systolic") })
            let diastolicLine = try #require(lines.firstIndex { $0.hasPrefix("- Diastolic") })
            #expect(systolicLine < diastolicLine)
            let snapshot = PatientSnapshot(records: [record]).text
            #expect(snapshot.contains("Blood Pressure: 157/96 mm[Hg]"))
        }
    }

    @Test("components are identified by code before name, and by name when they have no code")
    func identification() {
        let coded = RecordComponent(title: "Systolic", codes: [ClinicalCode(system: .loinc, code: "8462-4")])
        #expect(ComponentReading.part(of: coded) == .diastolic)
        let named = RecordComponent(title: "Pression diastolique")
        #expect(ComponentReading.part(of: named) == .diastolic)
        let other = RecordComponent(
            title: "Systolic murmur grade",
            codes: [ClinicalCode(system: .loinc, code: "9999-9")]
        )
        #expect(ComponentReading.part(of: other) == nil)
    }

    @Test("components that are not a blood pressure keep their own names: nothing is guessed from position")
    func otherPanels() {
        var panel = ClinicalRecord(
            id: RecordID("Observation/p"),
            kind: .observation,
            title: "Panel",
            provenance: Self.provenance
        )
        panel.components = [
            RecordComponent(
                title: "Hemoglobin",
                codes: [ClinicalCode(system: .loinc, code: "718-7")],
                value: .quantity(Quantity(value: 13, unit: "g/dL"))
            ),
            RecordComponent(
                title: "MCHC",
                codes: [ClinicalCode(system: .loinc, code: "786-4")],
                value: .quantity(Quantity(value: 33, unit: "g/dL"))
            ),
        ]
        #expect(ComponentReading.valueText(of: panel) == "Hemoglobin 13 g/dL, MCHC 33 g/dL")
        // A daily mean with its extremes (Apple Health) is the mean, with the extremes named.
        var daily = ClinicalRecord(
            id: RecordID("hr"),
            kind: .observation,
            title: "Heart rate",
            provenance: Self.provenance
        )
        daily.value = .quantity(Quantity(value: 72, unit: "count/min"))
        daily.components = [
            RecordComponent(title: "minimum", value: .quantity(Quantity(value: 58, unit: "count/min"))),
            RecordComponent(title: "maximum", value: .quantity(Quantity(value: 131, unit: "count/min"))),
        ]
        #expect(
            ComponentReading.valueText(of: daily) == "72 count/min (minimum 58 count/min, maximum 131 count/min)"
        )
    }

    /// Every blood pressure of every FHIR patient in `../shared/corpora`, with the expected reading
    /// taken from the raw JSON by code.
    @Test(
        "every blood pressure in the public corpora reads systolic/diastolic in fact cards, series and snapshot",
        .enabled(if: SharedData.isAvailable, "needs ../shared/corpora")
    )
    func corporaWalk() throws {
        let files =
            SharedData.files(under: SharedData.corpus("synthea-bundles"), extensions: ["json"])
            + SharedData.files(under: SharedData.corpus("fhir-r4-examples"), extensions: ["json"])
        var checked = 0
        for file in files {
            let expected = try Self.expectedReadings(in: file)
            guard !expected.isEmpty else { continue }
            let records = try FHIRParser().parse(contentsOf: file).records
            let chunker = RecordChunker()
            let chunks = chunker.chunks(for: records) + chunker.derivedChunks(for: records)
            for (id, reading) in expected {
                let card = try #require(
                    chunks.first { $0.recordID.rawValue == "Observation/\(id)" && $0.role == .fact },
                    "\(file.lastPathComponent): no fact card for Observation/\(id)"
                )
                #expect(card.text.contains("= \(reading.systolic)/\(reading.diastolic) "), "\(file.lastPathComponent)")
                #expect(!card.text.contains("\(reading.diastolic)/\(reading.systolic)"), "\(file.lastPathComponent)")
                checked += 1
            }
            // The snapshot shows the latest reading, the right way up.
            let latest = try #require(expected.values.max { $0.date < $1.date })
            let snapshot = try #require(chunks.first { $0.role == .snapshot })
            #expect(snapshot.text.contains("\(latest.systolic)/\(latest.diastolic) "), "\(file.lastPathComponent)")
            // A series of systolic pressures holds systolic values only.
            if let series = chunks.first(where: { $0.role == .series && $0.codes.contains { $0.code == "8480-6" } }) {
                let latestLine = try #require(series.text.split(separator: "\n").first { $0.hasPrefix("Latest:") })
                #expect(latestLine.contains("Latest: \(latest.systolic) "), "\(file.lastPathComponent): \(latestLine)")
            }
        }
        #expect(checked >= 10)
    }

    struct Reading {
        var systolic: String
        var diastolic: String
        var date: String
    }

    /// Blood-pressure Observations of a bundle or a single resource, read from the raw JSON by code.
    static func expectedReadings(in file: URL) throws -> [String: Reading] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file))
        var resources: [[String: Any]] = []
        if let object = json as? [String: Any] {
            if let entries = object["entry"] as? [[String: Any]] {
                resources = entries.compactMap { $0["resource"] as? [String: Any] }
            } else {
                resources = [object]
            }
        }
        func code(_ concept: Any?) -> [String] {
            ((concept as? [String: Any])?["coding"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        }
        func number(_ component: [String: Any]) -> String? {
            guard let value = (component["valueQuantity"] as? [String: Any])?["value"] as? NSNumber else { return nil }
            return Quantity(value: value.doubleValue).description
        }
        var found: [String: Reading] = [:]
        for resource in resources where resource["resourceType"] as? String == "Observation" {
            guard let id = resource["id"] as? String, let components = resource["component"] as? [[String: Any]] else {
                continue
            }
            let systolic = components.first { code($0["code"]).contains("8480-6") }.flatMap(number)
            let diastolic = components.first { code($0["code"]).contains("8462-4") }.flatMap(number)
            guard let systolic, let diastolic else { continue }
            let date = (resource["effectiveDateTime"] as? String) ?? ""
            found[id] = Reading(systolic: systolic, diastolic: diastolic, date: date)
        }
        return found
    }
}
