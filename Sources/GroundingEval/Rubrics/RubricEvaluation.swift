/// Grades responses against HealthBench rubrics with a ``Grader``, a bounded number of items at a time,
/// and aggregates the grades into a ``RubricRun``.
///
/// ```swift
/// let cache = try GradeCache(url: cacheURL)
/// let evaluation = RubricEvaluation(grader: CachingGrader(base: OfflineGrader(), cache: cache))
/// let run = await evaluation.run(examples, responses: RubricEvaluation.idealCompletions(of: examples))
/// print(run.overall?.mean ?? 0)
/// ```
public struct RubricEvaluation: Sendable {
    /// Progress after each graded item.
    public struct Progress: Sendable, Hashable {
        /// Items graded so far.
        public var done: Int
        /// Items in all.
        public var total: Int
        /// Items so far that came from the cache.
        public var cached: Int
        /// Items so far the grader could not decide.
        public var unknown: Int
    }

    /// The grader.
    public var grader: any Grader
    /// How many items are graded at once.
    public var concurrency: Int
    /// The bootstrap seed.
    public var seed: UInt64
    /// The bootstrap resample count (HealthBench: 1,000).
    public var resamples: Int

    /// Creates an evaluation.
    public init(grader: any Grader, concurrency: Int = 8, seed: UInt64 = 42, resamples: Int = 1000) {
        self.grader = grader
        self.concurrency = max(1, concurrency)
        self.seed = seed
        self.resamples = resamples
    }

    /// The physicians' ideal completions by prompt id, for the examples that have one.
    public static func idealCompletions(of examples: [RubricExample]) -> [String: String] {
        var responses: [String: String] = [:]
        for example in examples { if let ideal = example.idealCompletion { responses[example.promptID] = ideal } }
        return responses
    }

    /// Grades every rubric item of every example that has a response.
    /// - Parameters:
    ///   - examples: the examples.
    ///   - responses: the response to grade by prompt id; examples without one are skipped and listed.
    ///   - progress: called after each graded item.
    /// - Returns: the graded run.
    public func run(
        _ examples: [RubricExample],
        responses: [String: String],
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async -> RubricRun {
        let graded = examples.filter { responses[$0.promptID] != nil }
        let skipped = examples.filter { responses[$0.promptID] == nil }.map(\.promptID)
        var jobs: [(example: Int, item: Int, request: GradingRequest)] = []
        for (exampleIndex, example) in graded.enumerated() {
            let response = responses[example.promptID] ?? ""
            for (itemIndex, item) in example.rubrics.enumerated() {
                let request = GradingRequest(conversation: example.prompt, response: response, item: item)
                jobs.append((exampleIndex, itemIndex, request))
            }
        }
        var grades = graded.map { Array(repeating: Grade?.none, count: $0.rubrics.count) }
        var state = Progress(done: 0, total: jobs.count, cached: 0, unknown: 0)
        let grader = self.grader
        await withTaskGroup(of: (Int, Int, Grade).self) { group in
            var next = 0
            func record(_ example: Int, _ item: Int, _ grade: Grade) {
                grades[example][item] = grade
                state.done += 1
                if grade.fromCache { state.cached += 1 }
                if grade.criteriaMet == nil { state.unknown += 1 }
                progress?(state)
            }
            while next < jobs.count && next < concurrency {
                let job = jobs[next]
                group.addTask { (job.example, job.item, await grader.grade(job.request)) }
                next += 1
            }
            while let (example, item, grade) = await group.next() {
                record(example, item, grade)
                if next < jobs.count {
                    let job = jobs[next]
                    group.addTask { (job.example, job.item, await grader.grade(job.request)) }
                    next += 1
                }
            }
        }
        let gradedExamples = graded.enumerated().map { index, example in
            GradedExample(
                promptID: example.promptID,
                exampleTags: example.exampleTags,
                items: zip(example.rubrics, grades[index]).map { item, grade in
                    GradedItem(item: item, grade: grade ?? Grade(criteriaMet: nil, explanation: "not graded"))
                }
            )
        }
        return RubricRun(examples: gradedExamples, skippedExamples: skipped, seed: seed, resamples: resamples)
    }
}
