/// One graded rubric item in a run.
public struct GradedItem: Sendable, Codable, Hashable {
    /// The criterion.
    public var criterion: String
    /// Its points.
    public var points: Double
    /// Its rubric-level tags.
    public var tags: [String]
    /// Met, not met, or nil for unknown.
    public var met: Bool?
    /// The grader's explanation (or why it failed).
    public var explanation: String
    /// Whether the grade came from the cache.
    public var fromCache: Bool

    /// Creates a graded item.
    public init(item: RubricItem, grade: Grade) {
        criterion = item.criterion
        points = item.points
        tags = item.tags
        met = grade.criteriaMet
        explanation = grade.explanation
        fromCache = grade.fromCache
    }

    /// The rubric item.
    public var item: RubricItem { RubricItem(criterion: criterion, points: points, tags: tags) }
}

/// One graded example in a run.
public struct GradedExample: Sendable, Codable, Hashable {
    /// HealthBench's `prompt_id`.
    public var promptID: String
    /// Example-level tags.
    public var exampleTags: [String]
    /// The unclipped score, or nil when no decided criterion has positive points.
    public var score: Double?
    /// Scores by rubric-level tag.
    public var rubricTagScores: [String: Double]
    /// Every rubric item with its grade.
    public var items: [GradedItem]

    /// Scores an example from its graded items.
    public init(promptID: String, exampleTags: [String], items: [GradedItem]) {
        self.promptID = promptID
        self.exampleTags = exampleTags
        self.items = items
        let rubric = items.map(\.item)
        let met = items.map(\.met)
        score = RubricScoring.score(rubric, met: met)
        rubricTagScores = RubricScoring.rubricTagScores(rubric, met: met)
    }
}

/// What a rubric run found: per-example grades and HealthBench's aggregates.
public struct RubricRun: Sendable, Codable, Hashable {
    /// Every graded example, in input order.
    public var examples: [GradedExample]
    /// The overall score: mean of example scores clipped to [0, 1] with bootstrap std.
    public var overall: ScoreSummary?
    /// Example-level tags (mean over the examples carrying the tag) and rubric-level tags (mean over
    /// examples of the per-example tag score), each clipped with its bootstrap std.
    public var tagScores: [String: ScoreSummary]
    /// Rubric items graded.
    public var itemCount: Int
    /// Rubric items the grader could not decide.
    public var unknownCount: Int
    /// Rubric items whose grade came from the cache.
    public var cachedCount: Int
    /// Examples with no response to grade (by prompt id).
    public var skippedExamples: [String]
    /// Examples whose decided criteria have no positive points (no score).
    public var unscoredExamples: [String]
    /// Share of decided positive-point criteria found met. When the responses are the physicians' ideal
    /// completions, this is the grader's agreement with the physicians.
    public var positiveMetShare: Double?
    /// Share of decided negative-point criteria found met (ideal completions should meet none).
    public var negativeMetShare: Double?
    /// The bootstrap seed.
    public var seed: UInt64
    /// The bootstrap resample count.
    public var resamples: Int

    /// Aggregates graded examples as HealthBench does.
    public init(examples: [GradedExample], skippedExamples: [String] = [], seed: UInt64, resamples: Int = 1000) {
        self.examples = examples
        self.skippedExamples = skippedExamples
        self.seed = seed
        self.resamples = resamples
        let scored = examples.filter { $0.score != nil }
        unscoredExamples = examples.filter { $0.score == nil }.map(\.promptID)
        overall = ScoreSummary.clippedMean(of: scored.compactMap(\.score), resamples: resamples, seed: seed)
        var tagValues: [String: [Double]] = [:]
        for example in scored {
            for tag in Set(example.exampleTags) { tagValues[tag, default: []].append(example.score ?? 0) }
            for (tag, score) in example.rubricTagScores { tagValues[tag, default: []].append(score) }
        }
        tagScores = tagValues.compactMapValues {
            ScoreSummary.clippedMean(of: $0, resamples: resamples, seed: seed)
        }
        let items = examples.flatMap(\.items)
        itemCount = items.count
        unknownCount = items.filter { $0.met == nil }.count
        cachedCount = items.filter(\.fromCache).count
        func share(_ selected: [GradedItem]) -> Double? {
            let decided = selected.compactMap(\.met)
            return decided.isEmpty ? nil : Double(decided.filter { $0 }.count) / Double(decided.count)
        }
        positiveMetShare = share(items.filter { $0.points > 0 })
        negativeMetShare = share(items.filter { $0.points < 0 })
    }
}
