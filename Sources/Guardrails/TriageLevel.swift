/// How soon a person needs care, from self-care to emergency services.
///
/// Levels are ordered by urgency: `selfCare < routine < urgent < crisis < emergency`.
public enum TriageLevel: String, Codable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Information or something the person can manage on their own.
    case selfCare
    /// Worth an ordinary appointment.
    case routine
    /// Needs to be seen the same day.
    case urgent
    /// Self-harm or suicide risk: a crisis line now.
    case crisis
    /// Emergency services now.
    case emergency

    /// The level's rank, 0 (self-care) to 4 (emergency).
    public var rank: Int {
        switch self {
        case .selfCare: 0
        case .routine: 1
        case .urgent: 2
        case .crisis: 3
        case .emergency: 4
        }
    }

    /// Whether the level calls for an escalation message (urgent and above).
    public var requiresEscalation: Bool { rank >= TriageLevel.urgent.rank }

    /// `self-care`, `routine`, `urgent`, `crisis` or `emergency`.
    public var description: String { self == .selfCare ? "self-care" : rawValue }

    public static func < (lhs: TriageLevel, rhs: TriageLevel) -> Bool { lhs.rank < rhs.rank }
}
