import Foundation
import HealthRecords
import TestSupport
import Testing

@Suite struct ChunkingTests {
    static let samplePatient = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")

    static func provenance(_ id: String) -> Provenance {
        Provenance(sourceFile: "t.json", resourceID: id, resourceType: "X")
    }

    @Test("a series summarizes one code's values: count, first, last, extremes, most recent")
    func seriesOfA1c() throws {
        let records = try FHIRParser().parse(contentsOf: Self.samplePatient).records
        let a1c = records.filter { $0.codes.contains { $0.code == "4548-4" } }
            .sorted { ($0.date ?? .distantPast) < ($1.date ?? .distantPast) }
        let series = try #require(SeriesSummarizer.series(in: records).first { $0.code.code == "4548-4" })
        #expect(series.points.count == a1c.count)
        #expect(series.points.map(\.recordID) == a1c.map(\.id))
        let text = series.chunk.text
        let last = try #require(a1c.last)
        let lowest = try #require(a1c.min { ($0.value?.quantity?.value ?? 0) < ($1.value?.quantity?.value ?? 0) })
        #expect(text.contains("\(a1c.count) results"))
        #expect(
            text.contains(
                "Latest: \(try #require(last.value?.quantity)) (H) on \(FHIRDate.day(try #require(last.date)))"
            )
        )
        #expect(text.contains("Lowest \(try #require(lowest.value?.quantity))"))
        #expect(series.chunk.role == .series)
        #expect(series.chunk.recordID.rawValue == "series:LOINC|4548-4")
        // Blood pressure components become their own series.
        let systolic = SeriesSummarizer.series(in: records).first { $0.code.code == "8480-6" }
        #expect(systolic?.points.count == records.filter { $0.codes.contains { $0.code == "85354-9" } }.count)
    }

    @Test("the snapshot lists active problems and medications, and allergies with reactions")
    func snapshotSections() throws {
        let records = try FHIRParser().parse(contentsOf: Self.samplePatient).records
        let snapshot = PatientSnapshot(records: records)
        let sections = Dictionary(uniqueKeysWithValues: snapshot.sections.map { ($0.title, $0.lines.map(\.text)) })
        let problems = try #require(sections["Active problems"])
        #expect(problems.count == 3)
        #expect(!problems.contains { $0.contains("sinusitis") })
        let medications = try #require(sections["Active medications"])
        #expect(medications.count == 3)
        #expect(!medications.contains { $0.contains("amoxicillin") })
        #expect(sections["Allergies and intolerances"] == ["Penicillin (high criticality; reaction: Hives (moderate))"])
    }

    @Test("no known allergies is stated; no allergy records is 'no information'")
    func allergyAbsenceVersusNoInformation() {
        let patient = ClinicalRecord(id: RecordID("p"), kind: .patient, title: "P", provenance: Self.provenance("p"))
        let none = PatientSnapshot(records: [patient])
        #expect(
            none.sections.first { $0.title == "Allergies and intolerances" }?.lines.map(\.text) == [
                "No allergy information in the records"
            ]
        )
        let nka = ClinicalRecord(
            id: RecordID("a"),
            kind: .allergy,
            title: "No known allergy",
            assertion: .absent,
            provenance: Self.provenance("a")
        )
        let stated = PatientSnapshot(records: [patient, nka])
        #expect(
            stated.sections.first { $0.title == "Allergies and intolerances" }?.lines.first?.text.hasPrefix(
                "No known allergies"
            ) == true
        )
    }

    @Test("an amended result and a newer prescription of the same drug supersede the older records")
    func supersession() {
        let day = Date(timeIntervalSince1970: 1_700_000_000)
        let potassium = ClinicalCode(system: .loinc, code: "2823-3")
        let original = ClinicalRecord(
            id: RecordID("o1"),
            kind: .observation,
            title: "K",
            codes: [potassium],
            status: "final",
            date: day,
            provenance: Self.provenance("o1")
        )
        let amended = ClinicalRecord(
            id: RecordID("o2"),
            kind: .observation,
            title: "K",
            codes: [potassium],
            status: "amended",
            date: day,
            provenance: Self.provenance("o2")
        )
        let drug = ClinicalCode(system: .rxNorm, code: "314076")
        let old = ClinicalRecord(
            id: RecordID("m1"),
            kind: .medication,
            title: "lisinopril",
            codes: [drug],
            status: "stopped",
            date: day,
            provenance: Self.provenance("m1")
        )
        let new = ClinicalRecord(
            id: RecordID("m2"),
            kind: .medication,
            title: "lisinopril",
            codes: [drug],
            status: "active",
            date: day.addingTimeInterval(86_400),
            provenance: Self.provenance("m2")
        )
        #expect(Supersession.supersededIDs(in: [original, amended, old, new]) == [RecordID("o1"), RecordID("m1")])
        let chunks = RecordChunker().chunks(for: [original, amended])
        #expect(chunks.map(\.isSuperseded) == [true, false])
        #expect(chunks[0].text.hasPrefix("[replaced by a newer record]"))
    }

    @Test("a long note is split at its headings and to the token limit, with overlap")
    func narrativeSplitting() {
        let body = (1...400).map { "word\($0)" }.joined(separator: " ")
        let text = "# History\n\(body)\n\n# Plan\nRest and fluids.\n"
        let note = ClinicalRecord(
            id: RecordID("n"),
            kind: .note,
            title: "Progress note",
            text: text,
            provenance: Self.provenance("n")
        )
        let chunker = RecordChunker(maximumTokens: 120, overlapTokens: 10)
        let chunks = chunker.chunks(for: [note])
        #expect(chunks.count >= 5)
        #expect(chunks.allSatisfy { $0.role == .narrative && chunker.tokenCount($0.text) <= 120 })
        #expect(chunks.last?.text.contains("— Plan") == true)
        #expect(chunks.last?.text.contains("Rest and fluids.") == true)
        let history = chunks.filter { $0.title.hasSuffix("History") }
        #expect(history.count >= 4)
        // Consecutive pieces share words, and together they hold every word of the section.
        let words = history.map { Set($0.text.split(whereSeparator: \.isWhitespace).map(String.init)) }
        for (a, b) in zip(words, words.dropFirst()) { #expect(!a.isDisjoint(with: b)) }
        #expect(words.reduce(Set<String>()) { $0.union($1) }.isSuperset(of: (1...400).map { "word\($0)" }))
        #expect(Set(chunks.map(\.id)).count == chunks.count)
    }
}
