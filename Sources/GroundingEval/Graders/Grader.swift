/// Who graded: a report names its grader so that runs by different graders are never mixed up.
public struct GraderIdentity: Sendable, Codable, Hashable, CustomStringConvertible {
    /// The kind of grader: `chat-completions`, `offline-lexical`, …
    public var kind: String
    /// The model that grades, for a model grader.
    public var model: String?
    /// The endpoint it calls, for a model grader (never with credentials).
    public var endpoint: String?
    /// Whether the grader is an approximation that every report must label as such.
    public var isApproximate: Bool

    /// Creates an identity.
    public init(kind: String, model: String? = nil, endpoint: String? = nil, isApproximate: Bool) {
        self.kind = kind
        self.model = model
        self.endpoint = endpoint
        self.isApproximate = isApproximate
    }

    /// `chat-completions (gpt-4.1 at http://…)` or `offline-lexical (approximate)`.
    public var description: String {
        var text = kind
        var details: [String] = []
        if let model { details.append(model) }
        if let endpoint { details.append("at \(endpoint)") }
        if isApproximate { details.append("approximate") }
        if !details.isEmpty { text += " (" + details.joined(separator: " ") + ")" }
        return text
    }
}

/// What a grader is asked: does this response, as the last assistant turn of this conversation, meet
/// this rubric item?
public struct GradingRequest: Sendable, Hashable {
    /// The conversation before the response.
    public var conversation: [ChatMessage]
    /// The response to grade.
    public var response: String
    /// The rubric item.
    public var item: RubricItem

    /// Creates a request.
    public init(conversation: [ChatMessage], response: String, item: RubricItem) {
        self.conversation = conversation
        self.response = response
        self.item = item
    }
}

/// A grader's verdict on one rubric item.
public struct Grade: Sendable, Codable, Hashable {
    /// Whether the criterion is met; nil when the grader could not decide (never counted as "not met").
    public var criteriaMet: Bool?
    /// The grader's explanation, or why it failed.
    public var explanation: String
    /// How many calls it took (0 for a cache hit).
    public var attempts: Int
    /// Whether the verdict came from the grade cache.
    public var fromCache: Bool

    /// Creates a grade.
    public init(criteriaMet: Bool?, explanation: String, attempts: Int = 1, fromCache: Bool = false) {
        self.criteriaMet = criteriaMet
        self.explanation = explanation
        self.attempts = attempts
        self.fromCache = fromCache
    }
}

/// Something that decides whether a response meets a rubric item.
///
/// A grader never throws for one item: when it finally cannot decide, it returns a ``Grade`` whose
/// ``Grade/criteriaMet`` is nil, and the report counts it as unknown.
public protocol Grader: Sendable {
    /// Who grades (kind, model, endpoint, approximate or not).
    var identity: GraderIdentity { get }

    /// Grades one rubric item.
    func grade(_ request: GradingRequest) async -> Grade
}
