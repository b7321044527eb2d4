public import Foundation

/// A grader that asks a model through the OpenAI-compatible chat-completions protocol (any server that
/// speaks it, local ones included): one call per rubric item, retried with exponential backoff on
/// transport errors, timeouts, HTTP errors and replies that are not JSON with a boolean `criteria_met`.
/// When every attempt fails the item is unknown, never "not met".
public struct ChatCompletionsGrader: Grader {
    /// Where and how to call the model.
    public struct Configuration: Sendable, Hashable {
        /// The API base, e.g. `https://host/v1`; `chat/completions` is appended unless already there.
        public var baseURL: URL
        /// The model name sent in each request.
        public var model: String
        /// The bearer token, if the server needs one (never written to reports or logs).
        public var apiKey: String?
        /// How long one call may take before it counts as failed (whole seconds, at least one).
        public var timeout: Duration
        /// How many calls at most per rubric item.
        public var maxAttempts: Int
        /// The wait before the second attempt; it doubles before each later one.
        public var initialBackoff: Duration
        /// The reply length limit sent to the server.
        public var maxTokens: Int

        /// Creates a configuration.
        public init(
            baseURL: URL,
            model: String,
            apiKey: String? = nil,
            timeout: Duration = .seconds(120),
            maxAttempts: Int = 4,
            initialBackoff: Duration = .seconds(1),
            maxTokens: Int = 2048
        ) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.timeout = timeout
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.maxTokens = maxTokens
        }

        /// The endpoint called: the base URL with `chat/completions` appended when missing.
        public var endpoint: URL {
            if baseURL.path.hasSuffix("/chat/completions") { return baseURL }
            return baseURL.appendingPathComponent("chat").appendingPathComponent("completions")
        }

        /// The configuration named by `HEALTHGROUND_GRADER_BASE_URL`, `HEALTHGROUND_GRADER_MODEL` and
        /// (optional) `HEALTHGROUND_GRADER_API_KEY`, or nil when the base URL or the model is not set.
        /// - Throws: ``EvalError`` for a base URL that is not an http(s) URL.
        public static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws -> Configuration? {
            guard let base = environment["HEALTHGROUND_GRADER_BASE_URL"], !base.isEmpty,
                let model = environment["HEALTHGROUND_GRADER_MODEL"], !model.isEmpty
            else { return nil }
            guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
                throw EvalError(.grader, "HEALTHGROUND_GRADER_BASE_URL is not an http(s) URL")
            }
            let key = environment["HEALTHGROUND_GRADER_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            return Configuration(baseURL: url, model: model, apiKey: key)
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let client: ChatCompletionsClient

    /// Creates a grader.
    public init(configuration: Configuration) {
        self.configuration = configuration
        client = ChatCompletionsClient(configuration: configuration)
    }

    /// `chat-completions` with the model and the endpoint (without credentials).
    public var identity: GraderIdentity {
        var endpoint = URLComponents(url: configuration.endpoint, resolvingAgainstBaseURL: false)
        endpoint?.user = nil
        endpoint?.password = nil
        endpoint?.query = nil
        return GraderIdentity(
            kind: "chat-completions",
            model: configuration.model,
            endpoint: endpoint?.string,
            isApproximate: false
        )
    }

    /// Grades one rubric item, retrying as configured; unknown when every attempt fails.
    public func grade(_ request: GradingRequest) async -> Grade {
        let messages = [ChatMessage(role: "user", content: GraderPrompt.render(request))]
        let (result, attempts) = await client.withRetries {
            () async -> Result<(met: Bool, explanation: String), ChatCompletionsClient.Failure> in
            switch await client.complete(messages) {
            case .success(let content):
                guard let verdict = GraderPrompt.parseReply(content) else {
                    return .failure(
                        ChatCompletionsClient.Failure(reason: "reply is not JSON with a boolean criteria_met")
                    )
                }
                return .success(verdict)
            case .failure(let failure):
                return .failure(failure)
            }
        }
        switch result {
        case .success(let verdict):
            return Grade(criteriaMet: verdict.met, explanation: verdict.explanation, attempts: attempts)
        case .failure(let failure):
            return Grade(
                criteriaMet: nil,
                explanation: "grader failed after \(attempts) attempts: \(failure.reason)",
                attempts: attempts
            )
        }
    }
}
