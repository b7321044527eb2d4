/// What triage does with a current symptom that no rule places: it never calls it self-care.
///
/// ```yaml
/// safe-default:
///   level: routine          # a symptom the rules do not recognize: talk to a clinician
///   red-flag-level: urgent  # the same with a red flag present (severe, sudden, worsening, …)
/// ```
public struct SafeDefault: Hashable, Sendable, Codable {
    /// The level for symptoms that no rule places (at least `routine`).
    public var level: TriageLevel
    /// The level when such a symptom comes with a red flag, or a red-flag sign is itself unplaced.
    public var redFlagLevel: TriageLevel

    /// Creates the safe default; levels below `routine` are raised to `routine`.
    public init(level: TriageLevel = .routine, redFlagLevel: TriageLevel = .urgent) {
        self.level = max(level, .routine)
        self.redFlagLevel = max(redFlagLevel, self.level)
    }

    enum CodingKeys: String, CodingKey {
        case level
        case redFlagLevel = "red-flag-level"
    }

    /// Decodes the safe default; a level below `routine` is raised to `routine` (self-care is never a default).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            level: try container.decodeIfPresent(TriageLevel.self, forKey: .level) ?? .routine,
            redFlagLevel: try container.decodeIfPresent(TriageLevel.self, forKey: .redFlagLevel) ?? .urgent
        )
    }
}
