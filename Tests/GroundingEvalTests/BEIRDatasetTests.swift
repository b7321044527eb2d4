import Foundation
import GroundingEval
import TestSupport
import Testing

@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/eval/scifact"))
struct BEIRDatasetTests {
    static let folder = SharedData.root.appendingPathComponent("eval/scifact")

    @Test func readsSciFactTestSplit() throws {
        let dataset = try BEIRDataset.load(from: Self.folder)
        #expect(dataset.documents.count == 5183)
        #expect(dataset.queries.count == 300)
        #expect(dataset.judgments.values.map(\.count).reduce(0, +) == 339)
        #expect(dataset.judgments["1"]?["31715818"] == 1)
        #expect(dataset.queries.allSatisfy { dataset.judgments[$0.id] != nil })
    }

    @Test func oracleRankingScoresOneAndReversedScoresLess() async throws {
        let dataset = try BEIRDataset.load(from: Self.folder)
        let byText = Dictionary(dataset.queries.map { ($0.text, $0.id) }, uniquingKeysWith: { first, _ in first })
        let evaluation = RetrievalEvaluation()
        let oracle = try await evaluation.run(dataset) { text in
            let judged = dataset.judgments[byText[text] ?? ""] ?? [:]
            return judged.filter { $0.value > 0 }.sorted { $0.value > $1.value }.map(\.key)
        }
        #expect(oracle.means["ndcg@10"]?.mean == 1)
        #expect(oracle.means["recall@100"]?.mean == 1)
        #expect(oracle.means["map@100"]?.mean == 1)
        // Relevant documents pushed to rank 11 and later: nothing in the top 10.
        let filler = dataset.documents.prefix(10).map(\.id)
        let late = try await evaluation.run(dataset) { text in
            let judged = dataset.judgments[byText[text] ?? ""] ?? [:]
            return filler.filter { judged[$0] == nil } + judged.keys.sorted()
        }
        let lateNDCG = try #require(late.means["ndcg@10"]?.mean)
        #expect(lateNDCG < 0.05)
        #expect(late.means["recall@100"]?.mean == 1)
    }

    @Test func headerlessOrBrokenQrelsLineIsNamed() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("qrels"),
            withIntermediateDirectories: true
        )
        try "{\"_id\": \"d1\", \"text\": \"x\"}\n".write(
            to: folder.appendingPathComponent("corpus.jsonl"),
            atomically: true,
            encoding: .utf8
        )
        try "{\"_id\": \"q1\", \"text\": \"y\"}\n".write(
            to: folder.appendingPathComponent("queries.jsonl"),
            atomically: true,
            encoding: .utf8
        )
        try "query-id\tcorpus-id\tscore\nq1\td1\n".write(
            to: folder.appendingPathComponent("qrels/test.tsv"),
            atomically: true,
            encoding: .utf8
        )
        let error = try #require(throws: EvalError.self) { try BEIRDataset.load(from: folder) }
        #expect(error.description.contains("qrels/test.tsv line 2"))
    }
}
