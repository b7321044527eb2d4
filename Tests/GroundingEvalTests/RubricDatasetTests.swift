import Foundation
import GroundingEval
import TestSupport
import Testing

@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/eval"))
struct RubricDatasetTests {
    static let sample = SharedData.root.appendingPathComponent("eval/healthbench-sample")

    @Test func readsTheTwentySampleExamples() throws {
        let examples = try RubricDataset.load(from: Self.sample)
        #expect(examples.count == 20)
        #expect(Set(examples.map(\.promptID)).count == 20)
        let first = try #require(examples.first)  // oss_eval_example_1.json in natural order
        #expect(first.promptID == "1f548d5b-cd00-49a0-b327-283a2e00debd")
        #expect(first.rubrics.count == 19)
        #expect(first.rubrics[0].points == 10)
        #expect(first.rubrics[3].points == -10)
        #expect(first.exampleTags == ["theme:context_seeking", "physician_agreed_category:enough-context"])
        #expect(first.idealCompletion == nil)
        #expect(examples.filter { $0.idealCompletion != nil }.count == 16)
        #expect(examples.allSatisfy { $0.rubrics.allSatisfy { $0.tags.contains { $0.hasPrefix("axis:") } } })
    }

    @Test func jsonLinesRoundTripKeepsSpaceAndIdealCompletion() throws {
        var examples = try RubricDataset.load(from: Self.sample)
        examples[0].space = "alice"
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("examples.jsonl")
        let encoder = JSONEncoder()
        let lines = try examples.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let reread = try RubricDataset.load(from: file)
        #expect(reread == examples)
        #expect(reread[0].space == "alice")
    }

    @Test func badLineIsNamedWithoutItsContent() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.jsonl")
        try "{\"prompt_id\": \"x\"}\n".write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: EvalError.self) { try RubricDataset.load(from: file) }
        #expect(error.code == .invalidInput)
        #expect(error.description.contains("bad.jsonl line 1"))
    }

    @Test func responsesFileMapsPromptIDsToResponses() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("responses.jsonl")
        try "{\"prompt_id\": \"a\", \"response\": \"one\"}\n\n{\"prompt_id\": \"b\", \"response\": \"two\"}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try ResponseFile.load(from: file) == ["a": "one", "b": "two"])
    }
}
