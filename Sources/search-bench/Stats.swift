/// Percentiles and recall.
enum Stats {
    /// The value at a quantile (0…1) of unsorted samples, by the nearest rank.
    static func percentile(_ samples: [Double], _ quantile: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = Int((quantile * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }

    /// p50/p99 in milliseconds, the query count and the recall when known.
    static func latency(_ seconds: [Double], recall: Double?) -> [String: Any] {
        var entry: [String: Any] = [
            "p50_ms": percentile(seconds, 0.5) * 1e3,
            "p99_ms": percentile(seconds, 0.99) * 1e3,
            "queries": seconds.count,
        ]
        if let recall { entry["recall"] = recall }
        return entry
    }

    /// Mean recall@k of result lists against the truth lists of the same queries (by position).
    static func recall(_ results: [[Int]], _ truth: [[Int]]) -> Double {
        guard !results.isEmpty else { return .nan }
        var total = 0.0
        for (found, expected) in zip(results, truth) {
            let wanted = Set(expected)
            total += Double(found.filter { wanted.contains($0) }.count) / Double(max(1, expected.count))
        }
        return total / Double(results.count)
    }
}
