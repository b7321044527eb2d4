/// What an answer was written from: the cited evidence and the triage level.
///
/// The façade builds it from its grounded context; it can also be read from JSON
/// (`healthground check --context FILE`).
public struct EvidenceContext: Hashable, Sendable, Codable {
    /// One piece of cited evidence.
    public struct Evidence: Hashable, Sendable, Codable {
        /// The citation number the answer uses (`[1]`).
        public var number: Int
        /// The evidence text.
        public var text: String

        /// Creates evidence.
        public init(number: Int, text: String) {
            self.number = number
            self.text = text
        }
    }

    /// The evidence, by citation number.
    public var evidence: [Evidence]
    /// The triage level of the conversation.
    public var level: TriageLevel

    /// Creates a context.
    public init(evidence: [Evidence], level: TriageLevel) {
        self.evidence = evidence
        self.level = level
    }
}
