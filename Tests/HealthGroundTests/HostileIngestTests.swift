import Foundation
import HealthGround
import HealthRecords
import Logging
import RecordStore
import TestSupport
import Testing
import TextEmbedding

/// Hostile and unlucky ingests through a real space (issue 22).
@Suite struct HostileIngestTests {
    static let samplePatient = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")

    static func engine(_ folder: URL) -> GroundingEngine {
        var configuration = EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder())
        configuration.encryption = .disabled
        return GroundingEngine(configuration: configuration)
    }

    @Test("a file named three times in one run is one source, read once")
    func sameFileThrice() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let space = try await Self.engine(folder).space("alex")
        let report = try await space.ingest([Self.samplePatient, Self.samplePatient, Self.samplePatient])
        #expect(report.files.count == 1)
        #expect(report.failures.isEmpty)
    }

    @Test("NaN, infinity and 1e400 in a CSV are left out; the file is stored, not failed with a database error")
    func nonFiniteValuesAreStored() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("nutrition.csv")
        try """
        Date,Meal,Calories,Fat (g),Sodium (mg)
        2024-03-01,Breakfast,NaN,inf,120
        2024-03-02,Lunch,1e400,12,-inf
        """.write(to: csv, atomically: true, encoding: .utf8)
        let space = try await Self.engine(folder.appendingPathComponent("data")).space("alex")
        let report = try await space.ingest([csv])
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.files.first?.recordCount ?? 0 > 0)
    }

    @Test("derived chunks missing after a kill between the last file and the summary are rebuilt by the next ingest")
    func derivedChunksAreRepaired() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await Self.engine(folder).space("alex")
        _ = try await first.ingest([Self.samplePatient])
        #expect(try await first.sources().contains { $0.path == "derived:summary" })
        // What a kill at that point leaves: every file committed, the derived source gone.
        let file = folder.appendingPathComponent("spaces/alex.sqlite")
        let store = try SpaceStore(url: file, logger: Logger(label: "test"), spaceID: "alex")
        #expect(try store.removeSource(path: "derived:summary") != nil)
        let again = try await Self.engine(folder).space("alex")
        let report = try await again.ingest([Self.samplePatient])
        #expect(report.files.first?.outcome == .unchanged)
        #expect(try await again.sources().contains { $0.path == "derived:summary" })
        let hits = try await again.search("patient summary", k: 20)
        #expect(hits.contains { $0.chunk.role == .snapshot })
    }
}
