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

    /// One line of the patient snapshot, cited as `[S3]`.
    public struct SnapshotLine: Hashable, Sendable, Codable {
        /// The label the answer cites (`S3`).
        public var label: String
        /// The line's text.
        public var text: String

        /// Creates a snapshot line.
        public init(label: String, text: String) {
            self.label = label
            self.text = text
        }
    }

    /// The evidence, by citation number.
    public var evidence: [Evidence]
    /// The snapshot's citable lines (empty when the context had none, as in JSON written before them).
    public var snapshot: [SnapshotLine]
    /// The triage level of the conversation.
    public var level: TriageLevel

    /// Creates a context.
    public init(evidence: [Evidence], snapshot: [SnapshotLine] = [], level: TriageLevel) {
        self.evidence = evidence
        self.snapshot = snapshot
        self.level = level
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        evidence = try container.decode([Evidence].self, forKey: .evidence)
        snapshot = try container.decodeIfPresent([SnapshotLine].self, forKey: .snapshot) ?? []
        level = try container.decode(TriageLevel.self, forKey: .level)
    }
}
