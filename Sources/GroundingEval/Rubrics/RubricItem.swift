/// One physician-written rubric criterion: met or not, it adds its (possibly negative) points.
public struct RubricItem: Sendable, Codable, Hashable {
    /// What the answer should (positive points) or should not (negative points) do.
    public var criterion: String
    /// The points it adds when met; negative for undesirable behaviour.
    public var points: Double
    /// Rubric-level tags: `axis:*`, `level:*`, `cluster:*`.
    public var tags: [String]

    /// Creates a rubric item.
    public init(criterion: String, points: Double, tags: [String] = []) {
        self.criterion = criterion
        self.points = points
        self.tags = tags
    }

    /// The item as the grader sees it: `[points] criterion`, points written as HealthBench writes them.
    public var renderedForGrader: String {
        let points = points == points.rounded() ? String(Int(points)) : String(points)
        return "[\(points)] \(criterion)"
    }
}
