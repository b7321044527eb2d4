/// One rule of the clinician-reviewed rules file.
///
/// A rule is what a clinician signs off: what it matches, the level it sets, what it says, why (with
/// public references), examples that must and must not fire, and the review that covers its content.
public struct GuardrailRule: Hashable, Sendable, Codable {
    /// What a rule looks at.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The person's messages.
        case messageTriage = "message-triage"
        /// The person's records (critical values).
        case recordTriage = "record-triage"
        /// The person's records, when the message touches them (pregnancy, anticoagulants, …).
        case recordCaution = "record-caution"
    }

    /// A stable id (`stroke-fast`).
    public var id: String
    /// Bumped by the author on each edit.
    public var version: Int
    /// What the rule looks at.
    public var kind: Kind
    /// The level the rule sets when it fires (for cautions: the level it raises to).
    public var level: TriageLevel
    /// A one-line title.
    public var title: String
    /// Case-insensitive regular expressions matched against the message.
    public var patterns: [String]?
    /// Phrases matched by embedding similarity (the second net, for paraphrases).
    public var exemplars: [String]?
    /// Combinations of clinical concepts that fire the rule, any one of them (see ``ConceptCondition``).
    public var when: [ConceptCondition]?
    /// For record rules: which records and which values.
    public var record: RecordCriterion?
    /// For cautions: the message topics that make the record relevant (regular expressions).
    public var topics: [String]?
    /// What to tell the person, by language (`en`, `fr`, `es`).
    public var responses: [String: String]
    /// Why the rule exists.
    public var rationale: String
    /// The public guidance the rule follows, by name.
    public var references: [String]
    /// Messages that must fire the rule and messages that must not.
    public var examples: RuleExamples
    /// The clinical review that covers this content, if any.
    public var review: RuleReview?

    /// Creates a rule.
    public init(
        id: String,
        version: Int,
        kind: Kind,
        level: TriageLevel,
        title: String,
        patterns: [String]? = nil,
        exemplars: [String]? = nil,
        when: [ConceptCondition]? = nil,
        record: RecordCriterion? = nil,
        topics: [String]? = nil,
        responses: [String: String],
        rationale: String,
        references: [String],
        examples: RuleExamples,
        review: RuleReview? = nil
    ) {
        self.id = id
        self.version = version
        self.kind = kind
        self.level = level
        self.title = title
        self.patterns = patterns
        self.exemplars = exemplars
        self.when = when
        self.record = record
        self.topics = topics
        self.responses = responses
        self.rationale = rationale
        self.references = references
        self.examples = examples
        self.review = review
    }

    /// The response in `language`, falling back to English.
    public func response(in language: String) -> String {
        responses[language] ?? responses["en"] ?? title
    }
}

/// Examples a rule must fire on and must not fire on; `healthground rules test` runs them.
public struct RuleExamples: Hashable, Sendable, Codable {
    /// Messages the rule must fire on.
    public var fire: [String]
    /// Messages the rule must not fire on.
    public var notFire: [String]

    /// Creates examples.
    public init(fire: [String], notFire: [String]) {
        self.fire = fire
        self.notFire = notFire
    }

    enum CodingKeys: String, CodingKey {
        case fire
        case notFire = "not-fire"
    }
}

/// A clinician's review of one rule's content.
public struct RuleReview: Hashable, Sendable, Codable {
    /// Who reviewed.
    public var reviewer: String
    /// Their role (`emergency physician`, `psychiatric nurse`).
    public var role: String
    /// When (`2026-11-23`).
    public var date: String
    /// SHA-256 of the rule's canonical content at review time.
    public var contentHash: String

    /// Creates a review.
    public init(reviewer: String, role: String, date: String, contentHash: String) {
        self.reviewer = reviewer
        self.role = role
        self.date = date
        self.contentHash = contentHash
    }

    enum CodingKeys: String, CodingKey {
        case reviewer, role, date
        case contentHash = "content-hash"
    }
}

/// Which records a record rule looks at, and the values that make it fire.
public struct RecordCriterion: Hashable, Sendable, Codable {
    /// Record kinds (`observation`, `medication`, `condition`).
    public var kinds: [String]
    /// Codes (LOINC, RxNorm, SNOMED CT, ICD-10), matched on the code alone.
    public var codes: [String]?
    /// Case-insensitive regular expressions matched against the record's title and code displays.
    public var titles: [String]?
    /// Fires when the value is at or above this number.
    public var atOrAbove: Double?
    /// Fires when the value is below this number.
    public var below: Double?
    /// The unit the thresholds are in (compared case-insensitively; other units are skipped).
    public var unit: String?
    /// Only records at most this many days old count (all when absent).
    public var maxAgeDays: Int?

    /// Creates a criterion.
    public init(
        kinds: [String],
        codes: [String]? = nil,
        titles: [String]? = nil,
        atOrAbove: Double? = nil,
        below: Double? = nil,
        unit: String? = nil,
        maxAgeDays: Int? = nil
    ) {
        self.kinds = kinds
        self.codes = codes
        self.titles = titles
        self.atOrAbove = atOrAbove
        self.below = below
        self.unit = unit
        self.maxAgeDays = maxAgeDays
    }

    enum CodingKeys: String, CodingKey {
        case kinds, codes, titles, below, unit
        case atOrAbove = "at-or-above"
        case maxAgeDays = "max-age-days"
    }
}
