import Foundation
import GroundingEval
import TestSupport
import Testing

@Suite(.serialized) struct ResponseGeneratorTests {
    private let examples = [
        RubricExample(
            promptID: "a",
            prompt: [ChatMessage(role: "user", content: "What was my last A1c?")],
            rubrics: [],
            space: "alice"
        ),
        RubricExample(promptID: "b", prompt: [ChatMessage(role: "user", content: "Is 55 bpm fine?")], rubrics: []),
    ]

    @Test func answersWithGroundingAsSystemMessageAndRetries() async throws {
        let server = try ScriptedChatServer(script: [.status(502), .content("first answer"), .content("second answer")])
        defer { server.stop() }
        let generator = ResponseGenerator(
            configuration: .init(
                baseURL: server.baseURL,
                model: "answerer",
                maxAttempts: 3,
                initialBackoff: .milliseconds(5)
            ),
            concurrency: 1
        )
        let outcomes = try await generator.respond(to: examples) { example in
            example.space.map { "Records of \($0): HbA1c 6.1 % on 2024-03-02 [1]" }
        }
        #expect(outcomes.map(\.promptID) == ["a", "b"])
        #expect(outcomes.map(\.response) == ["first answer", "second answer"])
        let bodies = try server.requests.map {
            try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any])
        }
        let first = try #require(bodies[1]["messages"] as? [[String: String]])
        #expect(first.map { $0["role"] } == ["system", "user"])
        #expect(first[0]["content"]?.contains("HbA1c 6.1 %") == true)
        let second = try #require(bodies[2]["messages"] as? [[String: String]])
        #expect(second.map { $0["role"] } == ["user"])
    }

    @Test func failureIsReportedNotInvented() async throws {
        let server = try ScriptedChatServer(script: [.status(500), .status(500)])
        defer { server.stop() }
        let generator = ResponseGenerator(
            configuration: .init(baseURL: server.baseURL, model: "m", maxAttempts: 2, initialBackoff: .milliseconds(5))
        )
        let outcomes = try await generator.respond(to: [examples[1]])
        #expect(outcomes.first?.response == nil)
        #expect(outcomes.first?.failure == "HTTP 500")
    }

    @Test func responsesFileRoundTrips() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("responses.jsonl")
        try ResponseFile.write([("a", "one \"quoted\"\nline"), ("b", "two")], to: url)
        #expect(try ResponseFile.load(from: url) == ["a": "one \"quoted\"\nline", "b": "two"])
    }
}
