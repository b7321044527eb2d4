import GroundingEval
import Testing

@Suite struct RubricScoringTests {
    private func items(_ points: [Double], tags: [[String]]? = nil) -> [RubricItem] {
        points.enumerated().map { index, value in
            RubricItem(criterion: "criterion \(index)", points: value, tags: tags?[index] ?? [])
        }
    }

    @Test func healthBenchWorkedCaseScoresOneHalf() throws {
        let score = try #require(RubricScoring.score(items([7, 5, 10, -6]), met: [true, false, true, true]))
        #expect(abs(score - 0.5) < 1e-12)
    }

    @Test func exampleScoreIsNotClipped() throws {
        // Only the negative criteria are met: (−6 − 4) / 7.
        let low = try #require(RubricScoring.score(items([7, -6, -4]), met: [false, true, true]))
        #expect(abs(low - (-10.0 / 7.0)) < 1e-12)
    }

    @Test func unknownGradesAreLeftOutOfBothSums() throws {
        // The 5-point item is unknown: (7 + 10 − 6) / (7 + 10).
        let score = try #require(RubricScoring.score(items([7, 5, 10, -6]), met: [true, nil, true, true]))
        #expect(abs(score - 11.0 / 17.0) < 1e-12)
        #expect(RubricScoring.score(items([7, -6]), met: [nil, true]) == nil)
    }

    @Test func criteriaWithoutPositivePointsHaveNoScore() {
        #expect(RubricScoring.score(items([-5, -3]), met: [true, false]) == nil)
    }

    @Test func rubricTagScoresUseTheSameFormulaOverTaggedCriteria() throws {
        let rubric = items(
            [7, 5, 10, -6],
            tags: [["axis:accuracy"], ["axis:accuracy", "level:example"], ["axis:completeness"], ["axis:accuracy"]]
        )
        let scores = RubricScoring.rubricTagScores(rubric, met: [true, false, true, true])
        #expect(abs(try #require(scores["axis:accuracy"]) - (7.0 - 6.0) / 12.0) < 1e-12)
        #expect(scores["axis:completeness"] == 1.0)
        #expect(scores["level:example"] == 0.0)
        // A tag only on negative criteria has no score.
        let negativeOnly = RubricScoring.rubricTagScores(
            items([5, -5], tags: [[], ["axis:x"]]),
            met: [true, true]
        )
        #expect(negativeOnly["axis:x"] == nil)
    }

    @Test func reportedMeanIsClippedAfterAveraging() throws {
        let mixed = try #require(ScoreSummary.clippedMean(of: [1.2, 0.9, -0.5], seed: 1))
        #expect(abs(mixed.mean - 1.6 / 3.0) < 1e-12)
        let high = try #require(ScoreSummary.clippedMean(of: [1.5, 1.2], seed: 1))
        #expect(high.mean == 1.0)
        #expect(high.standardDeviation == 0)
        #expect(ScoreSummary.clippedMean(of: [], seed: 1) == nil)
    }

    @Test func bootstrapIsSeededAndNearTheAnalyticStandardError() throws {
        let values = (0..<200).map { Double($0 % 2) }
        let first = try #require(ScoreSummary.clippedMean(of: values, seed: 7))
        let again = try #require(ScoreSummary.clippedMean(of: values, seed: 7))
        let other = try #require(ScoreSummary.clippedMean(of: values, seed: 8))
        #expect(first == again)
        #expect(first.standardDeviation != other.standardDeviation)
        // σ / √n = 0.5 / √200 ≈ 0.0354; 1,000 resamples land within ~10 %.
        let expected = 0.5 / 200.0.squareRoot()
        #expect(abs(first.standardDeviation - expected) / expected < 0.15)
        #expect(first.count == 200)
    }

    @Test func runAggregatesExampleAndRubricTagsAsHealthBench() throws {
        func graded(
            _ id: String,
            _ tags: [String],
            _ points: [Double],
            _ itemTags: [[String]],
            _ met: [Bool?]
        )
            -> GradedExample
        {
            GradedExample(
                promptID: id,
                exampleTags: tags,
                items: zip(items(points, tags: itemTags), met).map { item, met in
                    GradedItem(item: item, grade: Grade(criteriaMet: met, explanation: ""))
                }
            )
        }
        let run = RubricRun(
            examples: [
                graded("a", ["theme:t"], [10, 10], [["axis:x"], ["axis:y"]], [true, false]),  // 0.5; x 1, y 0
                graded("b", ["theme:t", "theme:u"], [4, -8], [["axis:x"], ["axis:x"]], [false, true]),  // −2
                graded("c", ["theme:u"], [5, 5], [["axis:y"], ["axis:y"]], [nil, true]),  // 1; y 1
            ],
            seed: 3
        )
        let overall = try #require(run.overall)
        #expect(abs(overall.mean - 0) < 1e-12)  // (0.5 − 2 + 1) / 3 = −1/6 → clipped to 0
        #expect(run.tagScores["theme:t"]?.mean == 0)  // (0.5 − 2) / 2 → 0
        #expect(run.tagScores["theme:u"]?.mean == 0)  // (−2 + 1) / 2 → 0
        #expect(run.tagScores["axis:x"]?.mean == 0)  // (1 − 2) / 2 → 0
        #expect(run.tagScores["axis:y"]?.mean == 0.5)  // (0 + 1) / 2
        #expect(run.unknownCount == 1)
        #expect(run.itemCount == 6)
        #expect(run.positiveMetShare == 2.0 / 4.0)  // decided positives: T, F, F, T
        #expect(run.negativeMetShare == 1.0)
    }
}
