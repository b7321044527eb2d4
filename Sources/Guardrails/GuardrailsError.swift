/// Why the guardrails could not load or save their rules.
///
/// Says where (file, rule id, field) and why, never what a message or record contains.
public struct GuardrailsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case unreadable, malformed, invalidPattern, unreviewed, unknownRule, unknownLocale }
        private let kind: Kind

        /// The rules file could not be read.
        public static let unreadable = Code(kind: .unreadable)
        /// The rules file is not valid YAML or does not have the expected shape.
        public static let malformed = Code(kind: .malformed)
        /// A pattern is not a valid regular expression.
        public static let invalidPattern = Code(kind: .invalidPattern)
        /// Strict mode met a rule without a current clinical review.
        public static let unreviewed = Code(kind: .unreviewed)
        /// No rule has the given id.
        public static let unknownRule = Code(kind: .unknownRule)
        /// No escalation numbers are configured for the locale.
        public static let unknownLocale = Code(kind: .unknownLocale)

        /// The code's name.
        public var description: String { kind.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// Where: a file path, a rule id and field.
    public var location: String
    /// Why, in words that contain no health data.
    public var reason: String
    /// The error underneath, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, location: String, reason: String, underlying: (any Error)? = nil) {
        self.code = code
        self.location = location
        self.reason = reason
        self.underlying = underlying
    }

    /// `malformed at rules.yaml: …`.
    public var description: String {
        var text = "\(code) at \(location): \(reason)"
        if let underlying { text += " (\(type(of: underlying)))" }
        return text
    }
}
