import GroundingEval
import Testing

@Suite struct MetaEvaluationTests {
    // HealthBench's meta-eval unit case: grader [T, F, T], physicians [[T, T, F], [T, F], [F]],
    // clusters [a, a, b].
    private let items = [
        MetaEvaluation.Item(graderLabel: true, humanLabels: [true, true, false], cluster: "a"),
        MetaEvaluation.Item(graderLabel: false, humanLabels: [true, false], cluster: "a"),
        MetaEvaluation.Item(graderLabel: true, humanLabels: [false], cluster: "b"),
    ]

    @Test func pairwisePrecisionRecallAndBalancedF1MatchHandCounts() throws {
        let overall = MetaEvaluation.evaluate(items).overall
        #expect(overall.positivePrecision.value == 2.0 / 4.0)
        #expect(overall.positivePrecision.count == 4)
        #expect(overall.negativePrecision.value == 1.0 / 2.0)
        #expect(overall.positiveRecall.value == 2.0 / 3.0)
        #expect(overall.negativeRecall.value == 1.0 / 3.0)
        let positiveF1 = 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0)
        let negativeF1 = 2 * 0.5 * (1.0 / 3.0) / (0.5 + 1.0 / 3.0)
        #expect(abs(try #require(overall.positiveF1.value) - positiveF1) < 1e-12)
        #expect(abs(try #require(overall.negativeF1.value) - negativeF1) < 1e-12)
        #expect(abs(try #require(overall.balancedF1.value) - (positiveF1 + negativeF1) / 2) < 1e-12)
    }

    @Test func clusterWithOneClassMissingHasNoF1() throws {
        let result = MetaEvaluation.evaluate(items)
        let a = try #require(result.byCluster["a"])
        #expect(a.positivePrecision.value == 2.0 / 3.0)
        #expect(a.negativeRecall.value == 1.0 / 2.0)
        let b = try #require(result.byCluster["b"])
        #expect(b.positivePrecision.value == 0)
        #expect(b.positiveRecall.value == nil)
        #expect(b.negativePrecision.value == nil)
        #expect(b.positiveF1.value == nil)
        #expect(b.balancedF1.value == nil)
    }

    @Test func perfectAgreementScoresOne() {
        let perfect = MetaEvaluation.evaluate([
            .init(graderLabel: true, humanLabels: [true]), .init(graderLabel: false, humanLabels: [false, false]),
        ])
        #expect(perfect.overall.balancedF1.value == 1)
    }
}
