public import Foundation

/// What every evaluation run writes (`report.json`): its numbers, what it read (with checksums), who
/// graded, the HealthGround version and the seed; plus the sections other evaluations fill.
public struct EvalReport: Sendable, Codable, Hashable {
    /// One headline number, compared by `healthground eval compare`.
    public struct Metric: Sendable, Codable, Hashable {
        /// `overall`, `theme:…`, `axis:…`, `ndcg@10`, …
        public var name: String
        /// The value.
        public var value: Double
        /// Its bootstrap standard deviation, when it has one.
        public var standardDeviation: Double?
        /// How many values (examples, queries) it is the mean of.
        public var count: Int?

        /// Creates a metric.
        public init(name: String, value: Double, standardDeviation: Double? = nil, count: Int? = nil) {
            self.name = name
            self.value = value
            self.standardDeviation = standardDeviation
            self.count = count
        }
    }

    /// A bar chart of metrics (drawn with error bars where they have a standard deviation).
    public struct Chart: Sendable, Codable, Hashable {
        /// The chart title.
        public var title: String
        /// The bars, top to bottom.
        public var bars: [Metric]

        /// Creates a chart.
        public init(title: String, bars: [Metric]) {
            self.title = title
            self.bars = bars
        }
    }

    /// A confusion matrix (e.g. triage level expected × triage level found).
    public struct ConfusionMatrix: Sendable, Codable, Hashable {
        /// The class labels, in row and column order.
        public var labels: [String]
        /// `counts[expected][found]`.
        public var counts: [[Int]]
        /// What the rows are (e.g. "expected").
        public var rowTitle: String
        /// What the columns are (e.g. "found").
        public var columnTitle: String

        /// Creates a matrix.
        public init(labels: [String], counts: [[Int]], rowTitle: String = "expected", columnTitle: String = "found") {
            self.labels = labels
            self.counts = counts
            self.rowTitle = rowTitle
            self.columnTitle = columnTitle
        }
    }

    /// The evaluation kind: `rubrics`, `retrieval`, `triage`, …
    public var kind: String
    /// A one-line title.
    public var title: String
    /// When the run finished.
    public var createdAt: Date
    /// The HealthGround version that ran it.
    public var healthGroundVersion: String
    /// The seed of every random choice (bootstrap).
    public var seed: UInt64
    /// What the run read.
    public var inputs: [InputChecksum]
    /// Who graded, for graded evaluations.
    public var grader: GraderIdentity?
    /// The headline numbers.
    public var metrics: [Metric]
    /// Charts (scores by theme, by axis, …).
    public var charts: [Chart]
    /// A confusion matrix, for classification evaluations.
    public var confusionMatrix: ConfusionMatrix?
    /// Metric means by query type, for retrieval evaluations.
    public var byQueryType: [String: [String: Double]]?
    /// Things the reader must know (approximate grader, unknown grades, skipped examples).
    public var notes: [String]
    /// The rubric run in full, for rubric evaluations.
    public var rubric: RubricRun?
    /// The retrieval run in full, for retrieval evaluations.
    public var retrieval: RetrievalRun?

    /// Creates a report.
    public init(
        kind: String,
        title: String,
        createdAt: Date = Date(),
        healthGroundVersion: String = GroundingEvalModule.version,
        seed: UInt64,
        inputs: [InputChecksum],
        grader: GraderIdentity? = nil,
        metrics: [Metric],
        charts: [Chart] = [],
        confusionMatrix: ConfusionMatrix? = nil,
        byQueryType: [String: [String: Double]]? = nil,
        notes: [String] = [],
        rubric: RubricRun? = nil,
        retrieval: RetrievalRun? = nil
    ) {
        self.kind = kind
        self.title = title
        self.createdAt = createdAt
        self.healthGroundVersion = healthGroundVersion
        self.seed = seed
        self.inputs = inputs
        self.grader = grader
        self.metrics = metrics
        self.charts = charts
        self.confusionMatrix = confusionMatrix
        self.byQueryType = byQueryType
        self.notes = notes
        self.rubric = rubric
        self.retrieval = retrieval
    }

    /// The metric with this name.
    public func metric(_ name: String) -> Metric? { metrics.first { $0.name == name } }
}

extension EvalReport {
    /// The report of a rubric run: overall and tag scores, theme and axis charts, and notes for an
    /// approximate grader, unknown grades and skipped examples.
    /// - Parameters:
    ///   - run: the run.
    ///   - grader: who graded.
    ///   - inputs: checksums of what was read.
    ///   - responses: what was graded, for the title (e.g. "ideal completions").
    public static func rubrics(
        _ run: RubricRun,
        grader: GraderIdentity,
        inputs: [InputChecksum],
        responses: String
    ) -> EvalReport {
        var metrics: [Metric] = []
        if let overall = run.overall {
            metrics.append(
                Metric(
                    name: "overall",
                    value: overall.mean,
                    standardDeviation: overall.standardDeviation,
                    count: overall.count
                )
            )
        }
        for (tag, summary) in run.tagScores.sorted(by: { $0.key < $1.key }) {
            metrics.append(
                Metric(
                    name: tag,
                    value: summary.mean,
                    standardDeviation: summary.standardDeviation,
                    count: summary.count
                )
            )
        }
        if let share = run.positiveMetShare {
            metrics.append(Metric(name: "positive_criteria_met_share", value: share))
        }
        if let share = run.negativeMetShare {
            metrics.append(Metric(name: "negative_criteria_met_share", value: share))
        }
        metrics.append(Metric(name: "unknown_grades", value: Double(run.unknownCount), count: run.itemCount))
        func chart(_ prefix: String, _ title: String) -> Chart {
            Chart(title: title, bars: metrics.filter { $0.name.hasPrefix(prefix) })
        }
        var notes: [String] = []
        if grader.isApproximate {
            notes.append(
                "APPROXIMATE: graded by \(grader), a lexical heuristic with no model; its scores are not "
                    + "HealthBench scores and are not comparable with a model grader's."
            )
        }
        notes.append(
            "\(run.unknownCount) of \(run.itemCount) rubric items unknown (grader failed; left out, never counted as not met)."
        )
        notes.append("\(run.cachedCount) of \(run.itemCount) grades came from the grade cache.")
        if !run.skippedExamples.isEmpty {
            notes.append("\(run.skippedExamples.count) examples skipped: no \(responses) for them.")
        }
        if !run.unscoredExamples.isEmpty {
            notes.append("\(run.unscoredExamples.count) examples unscored: no decided positive criterion.")
        }
        return EvalReport(
            kind: "rubrics",
            title: "HealthBench rubric scores of \(responses)",
            seed: run.seed,
            inputs: inputs,
            grader: grader,
            metrics: metrics,
            charts: [chart("theme:", "Score by theme"), chart("axis:", "Score by axis")],
            notes: notes,
            rubric: run
        )
    }

    /// The report of a retrieval run: metric means with bootstrap std, and means by query type.
    public static func retrieval(_ run: RetrievalRun, mode: String, inputs: [InputChecksum], seed: UInt64) -> EvalReport
    {
        let metrics = run.means.sorted { $0.key < $1.key }.map {
            Metric(
                name: $0.key,
                value: $0.value.mean,
                standardDeviation: $0.value.standardDeviation,
                count: $0.value.count
            )
        }
        return EvalReport(
            kind: "retrieval",
            title: "Retrieval (\(mode)) on \(run.queries.count) queries",
            seed: seed,
            inputs: inputs,
            metrics: metrics,
            charts: [Chart(title: "Retrieval metrics", bars: metrics)],
            byQueryType: run.meansByType,
            retrieval: run
        )
    }
}
