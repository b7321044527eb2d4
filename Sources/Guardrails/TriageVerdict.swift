public import HealthRecords

/// One turn of a conversation.
public struct ConversationTurn: Hashable, Sendable, Codable {
    /// Who spoke.
    public enum Role: String, Hashable, Sendable, Codable {
        /// The person.
        case user
        /// The assistant.
        case assistant
    }

    /// Who spoke.
    public var role: Role
    /// What was said.
    public var text: String

    /// Creates a turn.
    public init(role: Role, text: String) {
        self.role = role
        self.text = text
    }

    /// A turn by the person.
    public static func user(_ text: String) -> ConversationTurn { ConversationTurn(role: .user, text: text) }
    /// A turn by the assistant.
    public static func assistant(_ text: String) -> ConversationTurn { ConversationTurn(role: .assistant, text: text) }
}

/// How a rule fired.
public enum FiringSource: String, Hashable, Sendable, Codable {
    /// One of its patterns matched the message.
    case pattern
    /// The message was close to one of its exemplar phrases.
    case exemplar
    /// A record met its criterion.
    case record
    /// The clinical concepts of one of its conditions were present.
    case concepts
}

/// What decided a verdict's level.
public enum TriageBasis: String, Hashable, Sendable, Codable {
    /// A rule above self-care fired.
    case rules
    /// Self-care rules placed every symptom described, and no red flag was present.
    case selfCareRule = "self-care-rule"
    /// Symptoms (or a red flag) that no rule places: `routine`, talk to a clinician.
    case safeDefault = "safe-default"
    /// No current symptom was described (an information question): self-care.
    case noSymptom = "no-symptom"
}

/// A rule that fired, with its evidence.
public struct FiredRule: Hashable, Sendable, Codable {
    /// The rule's id.
    public var ruleID: String
    /// The rule's version.
    public var ruleVersion: Int
    /// The level it sets.
    public var level: TriageLevel
    /// How it fired.
    public var source: FiringSource
    /// The conversation turn (index) it fired on, for message rules.
    public var turn: Int?
    /// The evidence span in that turn's text.
    public var span: TextSpan?
    /// The cosine similarity, for exemplar matches.
    public var similarity: Double?
    /// The record that made it fire, for record rules.
    public var recordID: RecordID?
    /// The concepts its condition rested on, for concept firings.
    public var concepts: [String]?
    /// Whether a clinical review covers the rule's current content.
    public var reviewStatus: RuleBook.ReviewStatus

    /// Creates a fired rule.
    public init(
        ruleID: String,
        ruleVersion: Int,
        level: TriageLevel,
        source: FiringSource,
        turn: Int? = nil,
        span: TextSpan? = nil,
        similarity: Double? = nil,
        recordID: RecordID? = nil,
        concepts: [String]? = nil,
        reviewStatus: RuleBook.ReviewStatus
    ) {
        self.ruleID = ruleID
        self.ruleVersion = ruleVersion
        self.level = level
        self.source = source
        self.turn = turn
        self.span = span
        self.similarity = similarity
        self.recordID = recordID
        self.concepts = concepts
        self.reviewStatus = reviewStatus
    }
}

/// A pattern match that did not count, and why.
public struct IgnoredMatch: Hashable, Sendable, Codable {
    /// The rule whose pattern matched.
    public var ruleID: String
    /// The turn it matched in.
    public var turn: Int
    /// Where.
    public var span: TextSpan
    /// Why it did not count.
    public var modifier: MatchModifier

    /// Creates an ignored match.
    public init(ruleID: String, turn: Int, span: TextSpan, modifier: MatchModifier) {
        self.ruleID = ruleID
        self.turn = turn
        self.span = span
        self.modifier = modifier
    }
}

/// The result of triaging a conversation.
public struct TriageVerdict: Hashable, Sendable, Codable {
    /// How soon the person needs care.
    public var level: TriageLevel
    /// The rules that fired, most urgent first.
    public var firedRules: [FiredRule]
    /// Matches that did not count (negated, past, hypothetical), for explanation.
    public var ignoredMatches: [IgnoredMatch]
    /// The escalation message for the configured locale, for urgent and above.
    public var escalation: String?
    /// What the fired rules say, in the configured language (cautions included).
    public var messages: [String]
    /// Set when rules in use await clinical review: says so in words.
    public var reviewNotice: String?
    /// What decided the level.
    public var basis: TriageBasis
    /// The clinical concepts found in the user's turns, counted or not (``ConceptFinding/modifier``).
    public var concepts: [ConceptFinding]
    /// Concepts describing a current problem that no fired rule places (ids): what the safe default
    /// sends to a clinician.
    public var unplacedSymptoms: [String]

    /// Creates a verdict.
    public init(
        level: TriageLevel,
        firedRules: [FiredRule],
        ignoredMatches: [IgnoredMatch],
        escalation: String?,
        messages: [String],
        reviewNotice: String?,
        basis: TriageBasis = .rules,
        concepts: [ConceptFinding] = [],
        unplacedSymptoms: [String] = []
    ) {
        self.level = level
        self.firedRules = firedRules
        self.ignoredMatches = ignoredMatches
        self.escalation = escalation
        self.messages = messages
        self.reviewNotice = reviewNotice
        self.basis = basis
        self.concepts = concepts
        self.unplacedSymptoms = unplacedSymptoms
    }

    enum CodingKeys: String, CodingKey {
        case level, firedRules, ignoredMatches, escalation, messages, reviewNotice, basis, concepts, unplacedSymptoms
    }

    /// Decodes a verdict; one written before concepts existed reads as decided by rules, with none found.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        level = try container.decode(TriageLevel.self, forKey: .level)
        firedRules = try container.decode([FiredRule].self, forKey: .firedRules)
        ignoredMatches = try container.decode([IgnoredMatch].self, forKey: .ignoredMatches)
        escalation = try container.decodeIfPresent(String.self, forKey: .escalation)
        messages = try container.decode([String].self, forKey: .messages)
        reviewNotice = try container.decodeIfPresent(String.self, forKey: .reviewNotice)
        basis = try container.decodeIfPresent(TriageBasis.self, forKey: .basis) ?? .rules
        concepts = try container.decodeIfPresent([ConceptFinding].self, forKey: .concepts) ?? []
        unplacedSymptoms = try container.decodeIfPresent([String].self, forKey: .unplacedSymptoms) ?? []
    }
}
