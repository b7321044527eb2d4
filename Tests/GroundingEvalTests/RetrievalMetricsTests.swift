import Foundation
import GroundingEval
import Testing

@Suite struct RetrievalMetricsTests {
    private let ranking = ["d1", "d2", "d3", "d4"]
    private let judgments = ["d2": 1, "d4": 2, "d5": 1, "d9": 0]

    @Test func ndcgUsesLinearGainAndLog2Discount() {
        let dcg = 1 / log2(3.0) + 2 / log2(5.0)
        let idcg = 2 / log2(2.0) + 1 / log2(3.0) + 1 / log2(4.0)
        #expect(abs(RetrievalMetrics.ndcg(ranking: ranking, judgments: judgments, k: 4) - dcg / idcg) < 1e-12)
        // At k = 2 only d2 counts; the ideal is d4 (2) then one of the 1s.
        let at2 = (1 / log2(3.0)) / (2 + 1 / log2(3.0))
        #expect(abs(RetrievalMetrics.ndcg(ranking: ranking, judgments: judgments, k: 2) - at2) < 1e-12)
        #expect(RetrievalMetrics.ndcg(ranking: ["d4", "d2", "d5"], judgments: judgments, k: 3) == 1)
    }

    @Test func recallReciprocalRankAndAveragePrecision() {
        #expect(RetrievalMetrics.recall(ranking: ranking, judgments: judgments, k: 4) == 2.0 / 3.0)
        #expect(RetrievalMetrics.recall(ranking: ranking, judgments: judgments, k: 1) == 0)
        #expect(RetrievalMetrics.reciprocalRank(ranking: ranking, judgments: judgments, k: 10) == 0.5)
        #expect(RetrievalMetrics.reciprocalRank(ranking: ranking, judgments: judgments, k: 1) == 0)
        // Relevant at ranks 2 and 4: (1/2 + 2/4) / 3 relevant.
        let ap = RetrievalMetrics.averagePrecision(ranking: ranking, judgments: judgments, k: 10)
        #expect(abs(ap - 1.0 / 3.0) < 1e-12)
    }

    @Test func repeatedDocumentsCountOnce() {
        #expect(RetrievalMetrics.recall(ranking: ["d2", "d2", "d2"], judgments: judgments, k: 3) == 1.0 / 3.0)
    }

    @Test func qrelsHeaderIsSkippedAndZeroJudgmentsAreNotRelevant() async throws {
        let dataset = BEIRDataset(
            documents: [],
            queries: [.init(id: "q1", text: "first", type: "short"), .init(id: "q2", text: "second")],
            judgments: ["q1": ["d1": 1, "d2": 0], "q2": ["d3": 1]]
        )
        let evaluation = RetrievalEvaluation(cutoffs: [1, 10])
        let run = try await evaluation.run(dataset) { query in
            query == "first" ? ["d2", "d1"] : ["d3"]
        }
        #expect(run.queries.count == 2)
        #expect(run.means["recall@1"]?.mean == 0.5)
        #expect(run.means["mrr@10"]?.mean == 0.75)
        #expect(run.meansByType["short"]?["mrr@10"] == 0.5)
        #expect(run.meansByType["untyped"]?["mrr@10"] == 1)
    }
}
