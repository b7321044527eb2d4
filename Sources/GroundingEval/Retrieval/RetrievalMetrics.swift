import Foundation

/// Ranked-retrieval metrics for one query, as BEIR (pytrec_eval) defines them.
///
/// Relevance is graded (`judgments[documentID]`, 0 or missing = not relevant); documents ranked more
/// than once count at their first rank only.
public enum RetrievalMetrics {
    /// nDCG@k with linear gain and the log2 discount: DCG = Σᵢ₌₁ᵏ relᵢ / log2(i + 1), divided by the
    /// DCG of the ideal ordering of all judged documents.
    /// - Returns: 0 when no judged document is relevant.
    public static func ndcg(ranking: [String], judgments: [String: Int], k: Int) -> Double {
        let ranked = unique(ranking).prefix(k)
        var dcg = 0.0
        for (index, id) in ranked.enumerated() {
            dcg += Double(max(judgments[id] ?? 0, 0)) / log2(Double(index + 2))
        }
        let ideal = judgments.values.filter { $0 > 0 }.sorted(by: >).prefix(k)
        var idcg = 0.0
        for (index, relevance) in ideal.enumerated() { idcg += Double(relevance) / log2(Double(index + 2)) }
        return idcg > 0 ? dcg / idcg : 0
    }

    /// Recall@k: relevant documents in the top k ÷ relevant documents.
    public static func recall(ranking: [String], judgments: [String: Int], k: Int) -> Double {
        let relevant = Set(judgments.filter { $0.value > 0 }.keys)
        guard !relevant.isEmpty else { return 0 }
        let found = unique(ranking).prefix(k).filter(relevant.contains).count
        return Double(found) / Double(relevant.count)
    }

    /// MRR@k: 1 ÷ the rank of the first relevant document in the top k, or 0.
    public static func reciprocalRank(ranking: [String], judgments: [String: Int], k: Int) -> Double {
        for (index, id) in unique(ranking).prefix(k).enumerated() where (judgments[id] ?? 0) > 0 {
            return 1 / Double(index + 1)
        }
        return 0
    }

    /// Average precision@k: Σ over relevant documents in the top k of precision at their rank, ÷ all
    /// relevant documents.
    public static func averagePrecision(ranking: [String], judgments: [String: Int], k: Int) -> Double {
        let relevantCount = judgments.values.filter { $0 > 0 }.count
        guard relevantCount > 0 else { return 0 }
        var found = 0
        var sum = 0.0
        for (index, id) in unique(ranking).prefix(k).enumerated() where (judgments[id] ?? 0) > 0 {
            found += 1
            sum += Double(found) / Double(index + 1)
        }
        return sum / Double(relevantCount)
    }

    private static func unique(_ ranking: [String]) -> [String] {
        var seen = Set<String>()
        return ranking.filter { seen.insert($0).inserted }
    }
}
