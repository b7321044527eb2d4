/// HealthBench's scoring rules.
///
/// One example's score is Σ points of the criteria met ÷ Σ points of the criteria with positive points
/// (met negative criteria subtract; not clipped). A criterion the grader could not decide (`nil`) is
/// left out of both sums: it is neither met nor "not met". A set of criteria with no positive points
/// has no score.
///
/// ```swift
/// let items = [7, 5, 10, -6].map { RubricItem(criterion: "…", points: $0) }
/// RubricScoring.score(items, met: [true, false, true, true])  // (7 + 10 − 6) / 22 = 0.5
/// ```
public enum RubricScoring {
    /// The score of a set of criteria given which were met.
    /// - Parameters:
    ///   - items: the criteria.
    ///   - met: for each criterion, whether it was met, or nil when unknown.
    /// - Returns: the unclipped score, or nil when no known criterion has positive points.
    public static func score(_ items: [RubricItem], met: [Bool?]) -> Double? {
        precondition(items.count == met.count, "one grade per rubric item")
        var possible = 0.0
        var achieved = 0.0
        for (item, met) in zip(items, met) {
            guard let met else { continue }
            if item.points > 0 { possible += item.points }
            if met { achieved += item.points }
        }
        guard possible > 0 else { return nil }
        return achieved / possible
    }

    /// Scores by rubric-level tag (`axis:*`, `level:*`, `cluster:*`): the same formula over the criteria
    /// carrying each tag; tags whose criteria have no positive points are left out.
    public static func rubricTagScores(_ items: [RubricItem], met: [Bool?]) -> [String: Double] {
        var byTag: [String: (items: [RubricItem], met: [Bool?])] = [:]
        for (item, grade) in zip(items, met) {
            for tag in Set(item.tags) {
                byTag[tag, default: ([], [])].items.append(item)
                byTag[tag, default: ([], [])].met.append(grade)
            }
        }
        var scores: [String: Double] = [:]
        for (tag, group) in byTag {
            if let score = score(group.items, met: group.met) { scores[tag] = score }
        }
        return scores
    }
}
