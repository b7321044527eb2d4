import Foundation

/// The parts of a BERT `config.json` that fix the encoder's shapes.
struct BERTConfiguration: Sendable, Decodable, Equatable {
    var hiddenSize: Int
    var intermediateSize: Int
    var attentionHeads: Int
    var layers: Int
    var vocabularySize: Int
    var maximumPositions: Int
    var tokenTypes: Int
    var layerNormEpsilon: Float
    var hiddenActivation: String
    var positionEmbeddingType: String?

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case attentionHeads = "num_attention_heads"
        case layers = "num_hidden_layers"
        case vocabularySize = "vocab_size"
        case maximumPositions = "max_position_embeddings"
        case tokenTypes = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenActivation = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// The width of one attention head.
    var headSize: Int { hiddenSize / attentionHeads }

    /// Reads and checks a `config.json`.
    /// - Throws: ``EmbeddingError`` when it is unreadable or describes a model the encoder cannot run.
    init(url: URL) throws {
        let name = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EmbeddingError(.unreadable, file: name, underlying: error)
        }
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw EmbeddingError(.malformed, file: name, expected: "a BERT configuration", underlying: error)
        }
        guard hiddenActivation == "gelu" else {
            throw EmbeddingError(.unsupportedModel, file: name, location: "hidden_act", expected: "gelu")
        }
        guard positionEmbeddingType == nil || positionEmbeddingType == "absolute" else {
            throw EmbeddingError(
                .unsupportedModel,
                file: name,
                location: "position_embedding_type",
                expected: "absolute"
            )
        }
        guard hiddenSize > 0, attentionHeads > 0, hiddenSize % attentionHeads == 0, layers > 0, tokenTypes > 0 else {
            throw EmbeddingError(
                .unsupportedModel,
                file: name,
                location: "hidden_size",
                expected: "a positive multiple of num_attention_heads"
            )
        }
    }
}
