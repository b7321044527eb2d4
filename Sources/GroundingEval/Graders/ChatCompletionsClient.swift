import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The chat-completions call shared by the grader and the responder: one POST, the first choice's
/// message content back, failures described without the text sent or received.
struct ChatCompletionsClient: Sendable {
    struct Failure: Error {
        var reason: String
    }

    private struct RequestBody: Encodable {
        var model: String
        var messages: [ChatMessage]
        var temperature: Double
        var maxTokens: Int

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature
            case maxTokens = "max_tokens"
        }
    }

    private struct ResponseBody: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        var choices: [Choice]
    }

    let configuration: ChatCompletionsGrader.Configuration
    private let session: URLSession

    init(configuration: ChatCompletionsGrader.Configuration) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        let seconds = Double(configuration.timeout.components.seconds)
        let fraction = Double(configuration.timeout.components.attoseconds) / 1e18
        // Linux's URLSession applies the timeout in whole seconds (0.5 s would become 0 and fail at
        // once), so it is rounded up to at least one second.
        let timeout = max(1, (seconds + fraction).rounded(.up))
        sessionConfiguration.timeoutIntervalForRequest = timeout
        sessionConfiguration.timeoutIntervalForResource = timeout
        sessionConfiguration.urlCache = nil
        session = URLSession(configuration: sessionConfiguration)
    }

    /// Runs `attempt` until it succeeds or `maxAttempts` is reached, waiting `initialBackoff`, doubling,
    /// between attempts. Returns the last result and the number of attempts made.
    func withRetries<T>(_ attempt: () async -> Result<T, Failure>) async -> (Result<T, Failure>, Int) {
        var backoff = configuration.initialBackoff
        var result: Result<T, Failure> = .failure(Failure(reason: "no attempt"))
        for number in 1...configuration.maxAttempts {
            if number > 1 {
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    return (.failure(Failure(reason: "cancelled")), number - 1)
                }
                backoff *= 2
            }
            result = await attempt()
            if case .success = result { return (result, number) }
        }
        return (result, configuration.maxAttempts)
    }

    /// One call: the first choice's message content.
    func complete(_ messages: [ChatMessage], temperature: Double = 0) async -> Result<String, Failure> {
        var urlRequest = URLRequest(url: configuration.endpoint)
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key = configuration.apiKey { urlRequest.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let body = RequestBody(
            model: configuration.model,
            messages: messages,
            temperature: temperature,
            maxTokens: configuration.maxTokens
        )
        do {
            urlRequest.httpBody = try JSONEncoder().encode(body)
        } catch {
            return .failure(Failure(reason: "cannot encode the request"))
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError where error.code == .timedOut {
            return .failure(Failure(reason: "timed out"))
        } catch {
            return .failure(Failure(reason: "transport error"))
        }
        guard let http = response as? HTTPURLResponse else { return .failure(Failure(reason: "not an HTTP reply")) }
        guard (200..<300).contains(http.statusCode) else {
            return .failure(Failure(reason: "HTTP \(http.statusCode)"))
        }
        guard let decoded = try? JSONDecoder().decode(ResponseBody.self, from: data),
            let content = decoded.choices.first?.message.content
        else {
            return .failure(Failure(reason: "reply is not a chat completion"))
        }
        return .success(content)
    }
}
