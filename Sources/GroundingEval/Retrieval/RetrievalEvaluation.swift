/// Scores a ranking function on a ``BEIRDataset``. The ranking is a closure from query text to document
/// ids, best first, so the evaluation does not depend on how search is done (dense, lexical, hybrid, or
/// another system altogether).
///
/// ```swift
/// let evaluation = RetrievalEvaluation(depth: 100)
/// let run = try await evaluation.run(dataset) { query in try await index.search(query, k: 100) }
/// print(run.means["ndcg@10"]?.mean ?? 0)
/// ```
public struct RetrievalEvaluation: Sendable {
    /// One query's metrics.
    public struct QueryResult: Sendable, Codable, Hashable {
        /// The query id.
        public var queryID: String
        /// The query type, when the dataset gives one.
        public var type: String?
        /// Metric name (`ndcg@10`, `recall@100`, `mrr@10`, `map@100`) → value.
        public var metrics: [String: Double]
    }

    /// How many documents are asked for per query (the largest cutoff).
    public var depth: Int
    /// The cutoffs for nDCG and recall.
    public var cutoffs: [Int]
    /// The cutoff for MRR.
    public var reciprocalRankCutoff: Int
    /// The bootstrap seed for the means' standard deviations.
    public var seed: UInt64

    /// Creates an evaluation. BEIR's headline numbers are nDCG@10 and recall@100.
    public init(cutoffs: [Int] = [1, 10, 100], reciprocalRankCutoff: Int = 10, seed: UInt64 = 42) {
        self.cutoffs = cutoffs.sorted()
        self.reciprocalRankCutoff = reciprocalRankCutoff
        self.depth = max(cutoffs.max() ?? 10, reciprocalRankCutoff)
        self.seed = seed
    }

    /// The names of the metrics each query gets.
    public var metricNames: [String] {
        cutoffs.map { "ndcg@\($0)" } + cutoffs.map { "recall@\($0)" } + ["mrr@\(reciprocalRankCutoff)", "map@\(depth)"]
    }

    /// The metrics of one ranking.
    public func metrics(ranking: [String], judgments: [String: Int]) -> [String: Double] {
        var values: [String: Double] = [:]
        for k in cutoffs {
            values["ndcg@\(k)"] = RetrievalMetrics.ndcg(ranking: ranking, judgments: judgments, k: k)
            values["recall@\(k)"] = RetrievalMetrics.recall(ranking: ranking, judgments: judgments, k: k)
        }
        values["mrr@\(reciprocalRankCutoff)"] = RetrievalMetrics.reciprocalRank(
            ranking: ranking,
            judgments: judgments,
            k: reciprocalRankCutoff
        )
        values["map@\(depth)"] = RetrievalMetrics.averagePrecision(ranking: ranking, judgments: judgments, k: depth)
        return values
    }

    /// Runs every judged query through the ranking closure and scores it.
    /// - Parameters:
    ///   - dataset: the benchmark.
    ///   - progress: called after each query with (done, total).
    ///   - rank: query text → document ids, best first (at least ``depth`` of them when there are).
    /// - Returns: per-query metrics, means with bootstrap std, and means by query type.
    /// - Throws: what the ranking closure throws.
    public func run(
        _ dataset: BEIRDataset,
        progress: (@Sendable (Int, Int) -> Void)? = nil,
        rank: (String) async throws -> [String]
    ) async throws -> RetrievalRun {
        var results: [QueryResult] = []
        for (index, query) in dataset.queries.enumerated() {
            let ranking = try await rank(query.text)
            let values = metrics(ranking: ranking, judgments: dataset.judgments[query.id] ?? [:])
            results.append(QueryResult(queryID: query.id, type: query.type, metrics: values))
            progress?(index + 1, dataset.queries.count)
        }
        return RetrievalRun(queries: results, metricNames: metricNames, seed: seed)
    }
}

/// A retrieval run: per-query metrics and their means.
public struct RetrievalRun: Sendable, Codable, Hashable {
    /// Per-query metrics.
    public var queries: [RetrievalEvaluation.QueryResult]
    /// Metric name → mean over queries, with bootstrap std.
    public var means: [String: ScoreSummary]
    /// Query type → metric name → mean (queries without a type are under `untyped`).
    public var meansByType: [String: [String: Double]]

    /// Aggregates per-query metrics.
    public init(queries: [RetrievalEvaluation.QueryResult], metricNames: [String], seed: UInt64) {
        self.queries = queries
        var means: [String: ScoreSummary] = [:]
        for name in metricNames {
            if let summary = ScoreSummary.clippedMean(of: queries.compactMap { $0.metrics[name] }, seed: seed) {
                means[name] = summary
            }
        }
        self.means = means
        var byType: [String: [String: Double]] = [:]
        let groups = Dictionary(grouping: queries) { $0.type ?? "untyped" }
        for (type, members) in groups {
            var values: [String: Double] = [:]
            for name in metricNames {
                let list = members.compactMap { $0.metrics[name] }
                if !list.isEmpty { values[name] = list.reduce(0, +) / Double(list.count) }
            }
            byType[type] = values
        }
        meansByType = byType
    }
}
