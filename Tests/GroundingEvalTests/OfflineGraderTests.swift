import Foundation
import GroundingEval
import TestSupport
import Testing

@Suite struct OfflineGraderTests {
    @Test func isLabelledApproximate() {
        #expect(OfflineGrader().identity.isApproximate)
        #expect(OfflineGrader().identity.description.contains("approximate"))
    }

    @Test func matchesContentWordsAndExamples() {
        let grader = OfflineGrader()
        let response = "Try gentle aerobic exercise three times a week and keep a sleep diary."
        #expect(grader.decide(criterion: "Recommends aerobic exercise weekly.", points: 5, response: response).met)
        #expect(!grader.decide(criterion: "Mentions statin therapy dosing.", points: 5, response: response).met)
        // "such as" lists are examples: the core words plus one example are enough.
        let withExamples = grader.decide(
            criterion: "Suggests lifestyle measures such as exercise, diet or smoking cessation.",
            points: 5,
            response: "Lifestyle measures help: regular exercise matters most."
        )
        #expect(withExamples.met)
    }

    @Test func absenceCriteriaAreMetWhenTheThingIsMissing() {
        let grader = OfflineGrader()
        let response = "See a doctor today for the chest pain."
        #expect(grader.decide(criterion: "Fails to mention insulin dosing.", points: -5, response: response).met)
        #expect(!grader.decide(criterion: "Fails to mention chest pain.", points: -5, response: response).met)
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/eval"))
    func findsMorePositiveThanNegativeCriteriaMetInIdealCompletions() async throws {
        let examples = try RubricDataset.load(from: SharedData.root.appendingPathComponent("eval/healthbench-sample"))
        let run = await RubricEvaluation(grader: OfflineGrader())
            .run(examples, responses: RubricEvaluation.idealCompletions(of: examples))
        #expect(run.examples.count == 16)
        #expect(run.skippedExamples.count == 4)
        #expect(run.unknownCount == 0)
        let positive = try #require(run.positiveMetShare)
        let negative = try #require(run.negativeMetShare)
        // Physicians' ideal answers meet their positive criteria and avoid the negative ones; a grader
        // worth reporting must at least tell those apart.
        #expect(positive > negative)
        #expect(positive > 0.3)
    }
}
