import Foundation
import TestSupport
import Testing
import TextEmbedding

@Suite(.enabled(if: SharedData.modelIsAvailable, "needs models/ (scripts/setup.sh)"))
struct MiniLMLoadingTests {
    /// A model folder whose `config.json` is the real one with one field changed, and whose other files
    /// are links to the real ones.
    func folder(editing key: String, to value: Any) throws -> URL {
        let folder = try SharedData.temporaryDirectory()
        let source = SharedData.modelDirectory
        for name in ["model.safetensors", "vocab.txt"] {
            try FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent(name),
                withDestinationURL: source.appendingPathComponent(name)
            )
        }
        let data = try Data(contentsOf: source.appendingPathComponent("config.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        config[key] = value
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        return folder
    }

    @Test("tensor shapes are checked against config.json")
    func shapeMismatchIsReported() throws {
        let folder = try folder(editing: "intermediate_size", to: 1024)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: EmbeddingError.self) { try MiniLMEmbedder(modelDirectory: folder) }
        #expect(error.code == .shapeMismatch)
        #expect(error.description.contains("encoder.layer.0.intermediate.dense"))
    }

    @Test("a vocabulary size that differs from the embedding table is refused")
    func vocabularyMismatchIsReported() throws {
        let folder = try folder(editing: "vocab_size", to: 30_000)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: EmbeddingError.self) { try MiniLMEmbedder(modelDirectory: folder) }
        #expect(error.code == .shapeMismatch)
        #expect(error.description.contains("word_embeddings"))
    }

    @Test("an activation other than exact GELU is refused")
    func unsupportedActivationIsReported() throws {
        let folder = try folder(editing: "hidden_act", to: "relu")
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: EmbeddingError.self) { try MiniLMEmbedder(modelDirectory: folder) }
        #expect(error.code == .unsupportedModel)
    }

    @Test("a missing weights file is an unreadable-file error that names the file")
    func missingWeightsAreReported() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: SharedData.modelDirectory.appendingPathComponent("config.json"),
            to: folder.appendingPathComponent("config.json")
        )
        let error = try #require(throws: EmbeddingError.self) { try MiniLMEmbedder(modelDirectory: folder) }
        #expect(error.code == .unreadable)
        #expect(error.description.contains("model.safetensors"))
    }
}
