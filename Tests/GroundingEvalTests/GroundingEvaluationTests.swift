import Foundation
import GroundingEval
import HealthGround
import HealthRecords
import TestSupport
import Testing
import TextEmbedding

@Suite struct GroundingEvaluationTests {
    @Test("valid citations and supported claims are counted against the cited evidence")
    func scoresCitationsAndClaims() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let space = try await GroundingEngine(
            configuration: EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder())
        ).space("alex")
        _ = try await space.ingest([
            SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")
        ])
        let context = try await space.context(for: "Am I allergic to penicillin?")
        let allergy = try #require(context.evidence.first { $0.kind == .allergy })
        let n = allergy.number
        let items = [
            GroundingEvaluation.Item(id: "clean", context: context, answer: "Penicillin, with hives [\(n)]."),
            GroundingEvaluation.Item(id: "nowhere", context: context, answer: "Penicillin [\(n)] and latex [42]."),
            GroundingEvaluation.Item(id: "invented", context: context, answer: "Hives [\(n)] on 2019-03-03."),
        ]
        let summary = GroundingEvaluation(items: items).run()
        #expect(summary.answers == 3)
        #expect(summary.outcomes.map(\.invalidCitations) == [0, 1, 0])
        #expect(summary.outcomes.map(\.unsupportedClaims) == [0, 0, 1])
        #expect(abs(summary.validCitationShare - 3.0 / 4) < 1e-9)
        #expect(summary.supportedClaimShare == 0)
        #expect(abs(summary.cleanAnswerShare - 1.0 / 3) < 1e-9)

        // The JSONL form round-trips through `healthground context --json`'s encoding.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let line = try encoder.encode(items[1])
        let file = folder.appendingPathComponent("answers.jsonl")
        try line.write(to: file)
        #expect(try GroundingEvaluation(jsonl: file).run().outcomes.map(\.invalidCitations) == [1])
    }
}
