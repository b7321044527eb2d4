/// A clinical concept of the rules file: a symptom, sign, finding, modifier, mental state, vulnerable
/// group or exposure, with its lay and clinical names in each language.
///
/// Rules combine concepts (``ConceptCondition``) instead of matching whole phrases, so "stiff neck",
/// "nuchal rigidity", "can't bend my neck", "raideur de nuque" and "rigidez de nuca" all make the same
/// concept present, and a rule written once for fever + headache + neck stiffness reads every one.
///
/// ```yaml
/// - id: neck-stiffness
///   kind: sign
///   terms:
///     en: ['\bstiff neck', '\bneck (?:is )?stiff', '\bnuchal rigidity', '\bcan''t bend (?:my |his |her )?neck']
///     fr: ['\bnuque raide', '\braideur (?:de la |de )?nuque']
///     es: ['\brigidez (?:de |en la )?nuca', '\bcuello r[ií]gido']
/// ```
///
/// A term that is negated, in the past or hypothetical in its clause does not count (as for rule
/// patterns). A concept may instead, or also, be present through a value written in the message
/// (``value``), or through any concept it ``includes``.
public struct ClinicalConcept: Hashable, Sendable, Codable {
    /// What a concept is.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// Something the person feels (pain, breathlessness, vomiting).
        case symptom
        /// Something seen or measured (a rash that does not fade, blue lips, a value in the text).
        case sign
        /// How a symptom behaves (severe, sudden, worst ever, unrelieved, progressive, duration).
        case modifier
        /// Altered mental state (confused, drowsy, unresponsive).
        case mentalState = "mental-state"
        /// Who is affected (an infant, pregnancy, immunosuppression, an older person).
        case population
        /// What happened (an overdose, a bite, a wound, travel).
        case exposure
        /// A minor, self-limited presentation (a runny nose, a bruise): what self-care rules name.
        case minor
        /// Circumstances that change what a symptom means (recent travel, exertion), not a problem.
        case context
        /// A grouping of other concepts only (``includes``).
        case group

        /// Whether a present concept of this kind means the message describes a current problem.
        public var describesProblem: Bool {
            switch self {
            case .symptom, .sign, .mentalState, .exposure, .minor: true
            case .modifier, .population, .context, .group: false
            }
        }
    }

    /// A stable id (`neck-stiffness`), referenced by rules.
    public var id: String
    /// What the concept is.
    public var kind: Kind
    /// Case-insensitive regular expressions by language (`en`, `fr`, `es`); all languages are read.
    public var terms: [String: [String]]?
    /// Concepts that make this one present (a group, or a broader concept).
    public var includes: [String]?
    /// A value written in the message that makes the concept present ("temp 40.2", "SpO2 88%").
    public var value: ValueCriterion?
    /// A red flag: with it present, a message is never self-care.
    public var redFlag: Bool?
    /// A broad concept ("pain", "feeling unwell"): placed when a rule places a more specific problem
    /// found within a sentence's reach of it (80 characters in the same turn).
    public var broad: Bool?
    /// What the concept means, for the reviewer.
    public var note: String?

    /// Creates a concept.
    public init(
        id: String,
        kind: Kind,
        terms: [String: [String]]? = nil,
        includes: [String]? = nil,
        value: ValueCriterion? = nil,
        redFlag: Bool? = nil,
        broad: Bool? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.terms = terms
        self.includes = includes
        self.value = value
        self.redFlag = redFlag
        self.broad = broad
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, terms, includes, value, note, broad
        case redFlag = "red-flag"
    }
}

/// A range of one kind of value written in a message, in the unit ``TextMeasurement`` normalizes to.
public struct ValueCriterion: Hashable, Sendable, Codable {
    /// The quantity.
    public var measure: TextMeasurement.Measure
    /// Present when the value is at or above this.
    public var atOrAbove: Double?
    /// Present when the value is below this.
    public var below: Double?

    /// Creates a criterion.
    public init(measure: TextMeasurement.Measure, atOrAbove: Double? = nil, below: Double? = nil) {
        self.measure = measure
        self.atOrAbove = atOrAbove
        self.below = below
    }

    /// Whether `value` is in the range (both bounds when both are given).
    public func contains(_ value: Double) -> Bool {
        if let atOrAbove, value < atOrAbove { return false }
        if let below, value >= below { return false }
        return atOrAbove != nil || below != nil
    }

    enum CodingKeys: String, CodingKey {
        case measure, below
        case atOrAbove = "at-or-above"
    }
}

/// When a rule fires on concepts: every concept of ``all``, at least one of ``any``, none of ``none``.
///
/// A rule's `when` is a list of conditions, any one of which fires it. A reference is a concept id,
/// or `@kind` for any concept of that kind (`@symptom`, `@mental-state`).
///
/// ```yaml
/// when:
///   - all: [fever, headache]
///     any: [neck-stiffness, photophobia, non-blanching-rash]
///   - all: [fever, non-blanching-rash]
/// ```
public struct ConceptCondition: Hashable, Sendable, Codable {
    /// Concepts that must all be present.
    public var all: [String]?
    /// Concepts of which at least one must be present (ignored when absent or empty).
    public var any: [String]?
    /// Concepts none of which may be present.
    public var none: [String]?

    /// Creates a condition.
    public init(all: [String]? = nil, any: [String]? = nil, none: [String]? = nil) {
        self.all = all
        self.any = any
        self.none = none
    }

    /// Every reference the condition makes.
    var references: [String] { (all ?? []) + (any ?? []) + (none ?? []) }
}
