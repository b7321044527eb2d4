import Foundation
public import TextEmbedding

/// Message triage and answer checks, driven by a ``RuleBook``.
///
/// ```swift
/// let guardrails = try Guardrails(rules: try RuleBook.bundled(), configuration: .init(locale: "FR"))
/// let verdict = guardrails.triage(conversation: [.user("j'ai une douleur dans la poitrine")], records: [])
/// verdict.level        // .emergency
/// verdict.escalation   // "… appelez le 15 …"
/// ```
public struct Guardrails: Sendable {
    /// How the guardrails run.
    public struct Configuration: Sendable {
        /// Which escalation numbers and language to use (`US`, `EU`, `FR`, `UK`, `ES`).
        public var locale: String
        /// The embedder for exemplar matching; nil matches patterns only.
        public var embedder: (any Embedder)?
        /// Overrides the rules file's threshold for the embedder (for calibration runs).
        public var similarityThreshold: Double?

        /// Creates a configuration.
        public init(locale: String = "US", embedder: (any Embedder)? = nil, similarityThreshold: Double? = nil) {
            self.locale = locale
            self.embedder = embedder
            self.similarityThreshold = similarityThreshold
        }
    }

    struct CompiledRule: Sendable {
        let rule: GuardrailRule
        let patterns: [CompiledPattern]
        let topics: [CompiledPattern]
        let titles: [CompiledPattern]
        let reviewStatus: RuleBook.ReviewStatus
    }

    struct Exemplar: Sendable {
        let ruleIndex: Int
        let text: String
        let vector: [Float]
        let isNegative: Bool
        /// The exemplar's own wording ("… if I were gone" reads as hypothetical): not held against a match.
        let ownModifier: MatchModifier?
    }

    /// The rules in use.
    public let rules: RuleBook
    /// The configuration.
    public let configuration: Configuration
    /// The escalation contacts for the configured locale.
    public let contacts: EscalationContacts
    /// The similarity threshold in use for the configured embedder (nil: exemplar matching off).
    public private(set) var similarityThreshold: Double?
    let compiled: [CompiledRule]
    /// Each rule's id and version, in the rule book's order: what ``PreparedRecords`` were made for.
    let ruleKeys: [String]
    let exemplars: [Exemplar]
    let concepts: ConceptReader
    /// Each message rule's concept conditions, by rule index (empty for rules without `when`).
    let conditions: [[ConceptCondition]]
    let context = MatchContext()
    let answerPatterns: AnswerPatterns

    /// Compiles the rules and embeds the exemplars.
    /// - Parameters:
    ///   - rules: the rule book (load it with ``RuleBook/load(from:mode:)``; strict mode is enforced there).
    ///   - configuration: locale and embedder.
    /// - Throws: ``GuardrailsError`` for an invalid pattern or unknown locale; the embedder's error.
    public init(rules: RuleBook, configuration: Configuration = Configuration()) throws {
        self.rules = rules
        self.configuration = configuration
        contacts = try rules.contacts(for: configuration.locale)
        compiled = try rules.rules.map { rule in
            CompiledRule(
                rule: rule,
                patterns: try (rule.patterns ?? []).map { try CompiledPattern($0, location: "\(rule.id).patterns") },
                topics: try (rule.topics ?? []).map { try CompiledPattern($0, location: "\(rule.id).topics") },
                titles: try (rule.record?.titles ?? []).map { try CompiledPattern($0, location: "\(rule.id).titles") },
                reviewStatus: rules.reviewStatus(of: rule)
            )
        }
        ruleKeys = compiled.map { "\($0.rule.id)@\($0.rule.version)" }
        let concepts = try ConceptReader(rules.concepts)
        for rule in rules.rules {
            for (offset, condition) in (rule.when ?? []).enumerated() {
                try concepts.validate(condition, location: "\(rule.id).when[\(offset)]")
            }
        }
        self.concepts = concepts
        conditions = rules.rules.map { $0.kind == .messageTriage ? ($0.when ?? []) : [] }
        let threshold =
            configuration.similarityThreshold
            ?? configuration.embedder.flatMap { rules.embeddingThresholds[$0.identity.id] }
        similarityThreshold = threshold
        var exemplars: [Exemplar] = []
        if let embedder = configuration.embedder, threshold != nil {
            let context = MatchContext()
            for (index, rule) in rules.rules.enumerated() where rule.kind == .messageTriage {
                let texts = rule.exemplars ?? []
                guard !texts.isEmpty else { continue }
                let vectors = try embedder.embed(texts)
                for (text, vector) in zip(texts, vectors) {
                    exemplars.append(
                        Exemplar(
                            ruleIndex: index,
                            text: text,
                            vector: vector,
                            isNegative: context.isNegative(text),
                            ownModifier: context.modifier(ofSentence: text, exemplarIsNegative: true)
                        )
                    )
                }
            }
        }
        self.exemplars = exemplars
        answerPatterns = AnswerPatterns(drugNames: rules.drugNames, contacts: contacts)
    }

    /// The same guardrails with another exemplar similarity threshold, reusing the exemplars' vectors
    /// (for calibration sweeps). Exemplar matching must be on: when it is off, nothing changes.
    /// - Parameter threshold: the cosine similarity at which an exemplar fires.
    public func withSimilarityThreshold(_ threshold: Double) -> Guardrails {
        guard similarityThreshold != nil else { return self }
        var copy = self
        copy.similarityThreshold = threshold
        return copy
    }

    /// Says how many rules await clinical review, or nil when all are reviewed.
    public var reviewNotice: String? {
        let pending = rules.rulesAwaitingReview.count
        guard pending > 0 else { return nil }
        return
            "\(pending) of \(rules.rules.count) guardrail rules await clinical review: "
            + "they have not been reviewed by a clinician."
    }
}
