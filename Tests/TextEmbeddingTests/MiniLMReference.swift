import Foundation
import TestSupport

/// `../shared/reference/minilm-reference.json`: texts with the token ids and embeddings that
/// sentence-transformers on PyTorch computed for them.
struct MiniLMReference: Decodable {
    struct Item: Decodable {
        var text: String
        var tokenIDs: [Int]
        var embedding: [Float]

        enum CodingKeys: String, CodingKey {
            case text
            case tokenIDs = "token_ids"
            case embedding
        }
    }

    var items: [Item]

    static let url = SharedData.root.appendingPathComponent("reference/minilm-reference.json")

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: url.path) }

    static func load() throws -> MiniLMReference {
        try JSONDecoder().decode(MiniLMReference.self, from: Data(contentsOf: url))
    }
}

/// The cosine similarity of two vectors.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0
    var normA = 0.0
    var normB = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        normA += Double(x) * Double(x)
        normB += Double(y) * Double(y)
    }
    return dot / (normA.squareRoot() * normB.squareRoot())
}
