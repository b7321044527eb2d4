/// Produces the responses to grade by asking a model (any OpenAI-compatible chat-completions server)
/// to answer each example's conversation, with or without HealthGround's grounding, so the two can be
/// compared under the same rubrics.
///
/// Grounding is a closure from the example to the text to put before the conversation as a system
/// message (HealthGround's assembled context for the example's space), or nil for none; it keeps this
/// type independent of how context is assembled.
public struct ResponseGenerator: Sendable {
    /// One example's outcome.
    public struct Outcome: Sendable, Hashable {
        /// The prompt id.
        public var promptID: String
        /// The response, or nil when every attempt failed.
        public var response: String?
        /// Why it failed, when it did.
        public var failure: String?
    }

    private let client: ChatCompletionsClient
    /// How many examples are answered at once.
    public var concurrency: Int

    /// Creates a generator for a model endpoint (retries and timeouts as in `configuration`).
    public init(configuration: ChatCompletionsGrader.Configuration, concurrency: Int = 4) {
        client = ChatCompletionsClient(configuration: configuration)
        self.concurrency = max(1, concurrency)
    }

    /// The configuration named by `HEALTHGROUND_ANSWER_BASE_URL`, `HEALTHGROUND_ANSWER_MODEL` and
    /// (optional) `HEALTHGROUND_ANSWER_API_KEY`, or nil when they are not set.
    /// - Throws: ``EvalError`` for a base URL that is not an http(s) URL.
    public static func configurationFromEnvironment(
        _ environment: [String: String]
    ) throws -> ChatCompletionsGrader.Configuration? {
        var renamed: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("HEALTHGROUND_ANSWER_") {
            renamed["HEALTHGROUND_GRADER_" + key.dropFirst("HEALTHGROUND_ANSWER_".count)] = value
        }
        return try ChatCompletionsGrader.Configuration.fromEnvironment(renamed)
    }

    /// Answers every example.
    /// - Parameters:
    ///   - examples: the examples.
    ///   - grounding: the system-message text for an example, or nil for none.
    ///   - progress: called with (done, total).
    /// - Returns: one outcome per example, in input order.
    /// - Throws: what `grounding` throws.
    public func respond(
        to examples: [RubricExample],
        grounding: (@Sendable (RubricExample) async throws -> String?)? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: examples.count)
        let client = self.client
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            var done = 0
            func add() {
                let index = next
                let example = examples[index]
                group.addTask {
                    var messages = example.prompt
                    if let context = try await grounding?(example) {
                        messages.insert(ChatMessage(role: "system", content: context), at: 0)
                    }
                    let (result, _) = await client.withRetries {
                        () async -> Result<String, ChatCompletionsClient.Failure> in
                        switch await client.complete(messages, temperature: 0) {
                        case .success(let text) where !text.isEmpty: return .success(text)
                        case .success: return .failure(ChatCompletionsClient.Failure(reason: "empty reply"))
                        case .failure(let failure): return .failure(failure)
                        }
                    }
                    switch result {
                    case .success(let text): return (index, Outcome(promptID: example.promptID, response: text))
                    case .failure(let failure):
                        return (index, Outcome(promptID: example.promptID, failure: failure.reason))
                    }
                }
                next += 1
            }
            while next < examples.count && next < concurrency { add() }
            while let (index, outcome) = try await group.next() {
                outcomes[index] = outcome
                done += 1
                progress?(done, examples.count)
                if next < examples.count { add() }
            }
        }
        return outcomes.compactMap { $0 }
    }
}

extension ResponseGenerator.Outcome {
    init(promptID: String, response: String) {
        self.init(promptID: promptID, response: response, failure: nil)
    }

    init(promptID: String, failure: String) {
        self.init(promptID: promptID, response: nil, failure: failure)
    }
}
