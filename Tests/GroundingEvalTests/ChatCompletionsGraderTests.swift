import Foundation
import GroundingEval
import TestSupport
import Testing

@Suite(.serialized) struct ChatCompletionsGraderTests {
    private let request = GradingRequest(
        conversation: [ChatMessage(role: "user", content: "Is a resting pulse of 55 fine?")],
        response: "Usually yes for fit adults; see a doctor if you feel faint.",
        item: RubricItem(criterion: "Advises seeing a doctor when symptomatic.", points: 7, tags: ["axis:accuracy"])
    )

    private func grader(
        _ server: ScriptedChatServer,
        attempts: Int = 3,
        timeout: Duration = .seconds(10)
    )
        -> ChatCompletionsGrader
    {
        ChatCompletionsGrader(
            configuration: .init(
                baseURL: server.baseURL,
                model: "judge-1",
                apiKey: "secret-token",
                timeout: timeout,
                maxAttempts: attempts,
                initialBackoff: .milliseconds(10)
            )
        )
    }

    @Test func sendsHealthBenchPromptAndReadsVerdict() async throws {
        let server = try ScriptedChatServer(script: [
            .content("```json\n{\"explanation\": \"says so\", \"criteria_met\": true}\n```")
        ])
        defer { server.stop() }
        let grade = await grader(server).grade(request)
        #expect(grade.criteriaMet == true)
        #expect(grade.explanation == "says so")
        #expect(grade.attempts == 1)
        let sent = try #require(server.requests.first)
        #expect(sent.head.hasPrefix("POST /v1/chat/completions"))
        #expect(sent.head.lowercased().contains("authorization: bearer secret-token"))
        let body = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
        #expect(body["model"] as? String == "judge-1")
        let messages = try #require(body["messages"] as? [[String: String]])
        let prompt = try #require(messages.first?["content"])
        #expect(prompt.contains("user: Is a resting pulse of 55 fine?"))
        #expect(prompt.contains("assistant: Usually yes for fit adults"))
        #expect(prompt.contains("[7] Advises seeing a doctor when symptomatic."))
        #expect(prompt.contains("criteria_met"))
    }

    @Test func retriesBadJSONAndServerErrors() async throws {
        let server = try ScriptedChatServer(script: [
            .content("I think it is met."), .status(500), .content("{\"criteria_met\": \"yes\"}"),
            .content("{\"explanation\": \"no advice\", \"criteria_met\": false}"),
        ])
        defer { server.stop() }
        let grade = await grader(server, attempts: 4).grade(request)
        #expect(grade.criteriaMet == false)
        #expect(grade.attempts == 4)
        #expect(server.requests.count == 4)
    }

    @Test func timeoutEverywhereIsUnknown() async throws {
        let server = try ScriptedChatServer(script: [.stall(3), .stall(3)])
        defer { server.stop() }
        let grade = await grader(server, attempts: 2, timeout: .seconds(1)).grade(request)
        #expect(grade.criteriaMet == nil)
        #expect(grade.explanation.contains("timed out"))
    }

    @Test func finalFailureIsUnknownNeverNotMet() async throws {
        let server = try ScriptedChatServer(script: [.status(503), .status(429), .status(500)])
        defer { server.stop() }
        let grade = await grader(server, attempts: 3).grade(request)
        #expect(grade.criteriaMet == nil)
        #expect(grade.explanation.contains("HTTP 500"))
        #expect(server.requests.count == 3)
    }

    @Test func timeoutIsRetried() async throws {
        let server = try ScriptedChatServer(script: [
            .stall(3), .content("{\"explanation\": \"ok\", \"criteria_met\": true}"),
        ])
        defer { server.stop() }
        let started = ContinuousClock.now
        let grade = await grader(server, attempts: 2, timeout: .seconds(1)).grade(request)
        #expect(grade.criteriaMet == true)
        #expect(grade.attempts == 2)
        #expect(server.requests.count == 2)
        // The first call was given up by the client's timeout, not refused at once.
        #expect(ContinuousClock.now - started >= .milliseconds(900))
    }

    @Test func cacheMakesTheRerunCostNothingAndKeepsUnknownsOut() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheURL = folder.appendingPathComponent("grades.jsonl")
        let other = GradingRequest(
            conversation: request.conversation,
            response: request.response,
            item: RubricItem(criterion: "Mentions bradycardia.", points: 3)
        )
        let server = try ScriptedChatServer(script: [
            .content("{\"explanation\": \"a\", \"criteria_met\": true}"), .status(500),
        ])
        defer { server.stop() }
        let first = CachingGrader(base: grader(server, attempts: 1), cache: try GradeCache(url: cacheURL))
        #expect(await first.grade(request).criteriaMet == true)
        #expect(await first.grade(other).criteriaMet == nil)
        #expect(server.requests.count == 2)

        // A new process: the cache is read back from disk.
        let reopened = try GradeCache(url: cacheURL)
        #expect(await reopened.count == 1)
        let second = CachingGrader(base: grader(server, attempts: 1), cache: reopened)
        let cached = await second.grade(request)
        #expect(cached.criteriaMet == true)
        #expect(cached.fromCache)
        #expect(server.requests.count == 2)
        // The unknown was not cached, so it is asked again.
        _ = await second.grade(other)
        #expect(server.requests.count == 3)
    }

    @Test func cacheKeyDependsOnModelResponseAndCriterion() {
        let identity = GraderIdentity(kind: "chat-completions", model: "a", isApproximate: false)
        let base = GradeCache.key(for: request, grader: identity)
        var otherResponse = request
        otherResponse.response += "!"
        var otherItem = request
        otherItem.item.points = 8
        #expect(base == GradeCache.key(for: request, grader: identity))
        #expect(base != GradeCache.key(for: otherResponse, grader: identity))
        #expect(base != GradeCache.key(for: otherItem, grader: identity))
        #expect(
            base
                != GradeCache.key(
                    for: request,
                    grader: .init(kind: "chat-completions", model: "b", isApproximate: false)
                )
        )
        #expect(base.count == 64)
    }

    @Test func configurationComesFromTheEnvironment() throws {
        #expect(try ChatCompletionsGrader.Configuration.fromEnvironment([:]) == nil)
        let configuration = try #require(
            try ChatCompletionsGrader.Configuration.fromEnvironment([
                "HEALTHGROUND_GRADER_BASE_URL": "http://127.0.0.1:8080/v1", "HEALTHGROUND_GRADER_MODEL": "m",
            ])
        )
        #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(configuration.apiKey == nil)
        #expect(throws: EvalError.self) {
            try ChatCompletionsGrader.Configuration.fromEnvironment([
                "HEALTHGROUND_GRADER_BASE_URL": "ftp://x", "HEALTHGROUND_GRADER_MODEL": "m",
            ])
        }
    }
}
