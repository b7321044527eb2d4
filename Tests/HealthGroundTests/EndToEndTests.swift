import Foundation
import HealthGround
import HealthRecords
import RecordStore
import TestSupport
import Testing
import TextEmbedding

/// The whole path on real records: parse, chunk, embed, store, search.
@Suite struct EndToEndTests {
    static func engine() throws -> (GroundingEngine, URL) {
        let folder = try SharedData.temporaryDirectory()
        return (
            GroundingEngine(configuration: EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder())),
            folder
        )
    }

    static let samplePatient = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")

    @Test("the project's sample patient ingests and answers with cited records (no ../shared needed)")
    func samplePatientSearch() async throws {
        let (engine, folder) = try Self.engine()
        defer { try? FileManager.default.removeItem(at: folder) }
        let space = try await engine.space("alex")
        let report = try await space.ingest([Self.samplePatient])
        #expect(report.failures.isEmpty)
        #expect(report.recordsByKind["condition"] == 4)
        #expect(report.recordsByKind["allergy"] == 1)
        let hits = try await space.search("penicillin allergy", k: 3)
        let top = try #require(hits.first)
        #expect(top.chunk.kind == .allergy)
        #expect(top.chunk.provenance.resourceID == "allergy-penicillin")
        #expect(top.citation.contains("alex-rivera.json"))
    }

    @Test(
        "a search for each of a patient's conditions returns that condition first",
        .enabled(if: SharedData.isAvailable, "needs ../shared/corpora (public sample records)")
    )
    func conditionSearchReturnsConditionFirst() async throws {
        let (engine, folder) = try Self.engine()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bulk = SharedData.corpus("synthea-bulk-ndjson")
        let conditions = try FHIRParser().parse(contentsOf: bulk.appendingPathComponent("Condition.000.ndjson")).records
        let subject = try #require(conditions.first?.attribute("subject"))
        let patientID = String(subject.dropFirst("Patient/".count))
        let space = try await engine.space("synthea-one")
        let report = try await space.ingest([bulk], patientID: patientID)
        #expect(report.failures.isEmpty)
        let mine = conditions.filter { $0.attribute("subject") == subject }
        #expect(report.recordsByKind["condition"] == mine.count)
        let titles = Set(mine.map(\.title))
        #expect(titles.count >= 5)
        for title in titles.sorted() {
            let top = try #require(try await space.search(title, k: 1).first)
            #expect(top.chunk.kind == .condition, "query \(title)")
            #expect(top.chunk.title == title, "query \(title)")
        }
    }

    @Test("re-ingesting the same files changes nothing")
    func reingestIsNoOp() async throws {
        let (engine, folder) = try Self.engine()
        defer { try? FileManager.default.removeItem(at: folder) }
        let space = try await engine.space("alex")
        let first = try await space.ingest([Self.samplePatient])
        #expect(first.files.map(\.outcome) == [.added])
        let sourcesBefore = try await space.sources()
        let countsBefore = try await space.chunkCounts()
        let second = try await space.ingest([Self.samplePatient])
        #expect(second.files.map(\.outcome) == [.unchanged])
        #expect(second.files.first?.chunksAdded == 0)
        #expect(try await space.sources() == sourcesBefore)
        #expect(try await space.chunkCounts() == countsBefore)
    }

    @Test("a truncated bundle is rejected with its path and leaves the space unchanged")
    func truncatedBundleLeavesSpaceUnchanged() async throws {
        let (engine, folder) = try Self.engine()
        defer { try? FileManager.default.removeItem(at: folder) }
        let space = try await engine.space("alex")
        _ = try await space.ingest([Self.samplePatient])
        let recordsBefore = try await space.records()
        let sourcesBefore = try await space.sources()
        // The same file, cut in half, under the same path: a changed source that fails to parse.
        let copy = folder.appendingPathComponent("inbox/alex-rivera.json")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        let full = try Data(contentsOf: Self.samplePatient)
        try full.write(to: copy)
        _ = try await space.ingest([copy])
        let sourcesWithCopy = try await space.sources()
        try full.prefix(full.count / 2).write(to: copy)
        let report = try await space.ingest([copy])
        let failure = try #require(report.failures.first)
        #expect(failure.file == "alex-rivera.json")
        #expect(failure.reason.contains("alex-rivera.json"))
        #expect(failure.reason.contains("malformed"))
        #expect(!failure.reason.contains("Rivera"))
        #expect(try await space.sources() == sourcesWithCopy)
        #expect(sourcesWithCopy.count == sourcesBefore.count + 1)
        #expect(try await space.records().count == recordsBefore.count * 2)
    }

    @Test("space ids are checked: no path tricks")
    func invalidSpaceIDs() async throws {
        let (engine, folder) = try Self.engine()
        defer { try? FileManager.default.removeItem(at: folder) }
        for id in ["", "../other", ".hidden", "a/b", String(repeating: "x", count: 65)] {
            await #expect(throws: StoreError.self) { try await engine.space(id) }
        }
    }
}

/// The same path with the real model: MiniLM is the default embedder when its files are installed.
@Suite(.enabled(if: SharedData.modelIsAvailable, "needs models/ (scripts/setup.sh)"))
struct MiniLMEndToEndTests {
    @Test("with MiniLM by default, paraphrased questions find the sample patient's records")
    func paraphrases() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let embedder = EngineConfiguration.defaultEmbedder(modelDirectory: SharedData.modelDirectory)
        #expect(embedder.identity.id.hasPrefix("all-MiniLM-L6-v2"))
        let space = try await GroundingEngine(
            configuration: EngineConfiguration(dataDirectory: folder, embedder: embedder)
        ).space("alex")
        let report = try await space.ingest([EndToEndTests.samplePatient])
        #expect(report.failures.isEmpty)
        // No word of these questions is in the matching record: only the dense side can find them.
        let checks: [(String, RecordKind)] = [
            ("which antibiotics cause me a rash", .allergy),
            ("shots against the flu", .immunization),
        ]
        for (question, kind) in checks {
            let hits = try await space.search(question, k: 3, mode: .dense)
            #expect(hits.contains { $0.chunk.kind == kind }, "\(question)")
        }
        // The stamp names the model: a hashing-embedder engine is refused on this space.
        let other = try await GroundingEngine(
            configuration: EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder())
        ).space("alex")
        await #expect(throws: StoreError.self) { try await other.search("penicillin", k: 1) }
    }
}
