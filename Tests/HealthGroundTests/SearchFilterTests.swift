import Foundation
import HealthGround
import HealthRecords
import RecordStore
import TestSupport
import Testing
import TextEmbedding

/// Filters apply before top-k: a filtered query returns k hits whenever k matching chunks exist.
@Suite struct SearchFilterTests {
    static let samplePatient = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")

    static func space() async throws -> (HealthSpace, URL) {
        let folder = try SharedData.temporaryDirectory()
        let engine = GroundingEngine(
            configuration: EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder())
        )
        let space = try await engine.space("alex")
        let report = try await space.ingest([samplePatient])
        #expect(report.failures.isEmpty)
        return (space, folder)
    }

    @Test(
        "a filter never loses hits that exist, in every mode",
        arguments: [SearchMode.dense, .lexical, .hybrid]
    )
    func filterKeepsK(mode: SearchMode) async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = try await space.records()
        // Immunizations are few and unrelated to the query: a post-filter would find none of them.
        let immunizations = records.filter { $0.kind == .immunization }
        #expect(immunizations.count >= 5)
        let filter = SearchFilter(kinds: [.immunization])
        let hits = try await space.search("hemoglobin A1c glucose", k: 5, filter: filter, mode: mode)
        if mode == .lexical {
            // BM25 only returns chunks that share a term with the query, and no immunization does.
            #expect(hits.isEmpty)
        } else {
            #expect(hits.count == 5)
            #expect(hits.allSatisfy { $0.chunk.kind == .immunization })
        }
    }

    @Test("date and code filters select exactly the matching records")
    func dateAndCodeFilters() async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = try await space.records()
        let calendar = Calendar(identifier: .gregorian)
        let from = try #require(calendar.date(from: DateComponents(timeZone: .gmt, year: 2023, month: 1, day: 1)))
        let to = try #require(calendar.date(from: DateComponents(timeZone: .gmt, year: 2023, month: 12, day: 31)))
        let expected = records.filter {
            $0.codes.contains { $0.code == "4548-4" } && ($0.date.map { $0 >= from && $0 <= to } ?? false)
        }
        #expect(expected.count == 3)
        for mode in [SearchMode.dense, .lexical, .hybrid] {
            for codes: Set<String> in [["4548-4"], ["LOINC|4548-4"]] {
                let filter = SearchFilter(from: from, to: to, codes: codes)
                let hits = try await space.search("A1c", k: 10, filter: filter, mode: mode)
                #expect(Set(hits.map(\.chunk.recordID)) == Set(expected.map(\.id)), "mode \(mode), codes \(codes)")
            }
        }
        let none = try await space.search("A1c", k: 10, filter: SearchFilter(codes: ["RxNorm|4548-4"]))
        #expect(none.isEmpty)
    }

    @Test("convex fusion, int8 and PCA scans answer the same question as the defaults")
    func fusionAndScanOptions() async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let share = try await space.buildProjection(components: 64)
        #expect(share > 0.5 && share <= 1.0001)
        for fusion in [FusionMethod.standard, .convex(denseWeight: 0.5)] {
            for scan in [ScanKind.exact, .int8, .pca] {
                let top = try #require(
                    try await space.search("penicillin allergy", k: 1, fusion: fusion, scan: scan).first
                )
                #expect(top.chunk.kind == .allergy)
            }
        }
    }
}
