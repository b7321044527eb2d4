import Foundation

/// The weights of a BERT encoder, read in place from a memory-mapped safetensors file; only the
/// fused query/key/value projections are copied (one 3h×h matrix per layer, so that one `sgemm`
/// makes all three).
///
/// `@unchecked Sendable`: every pointer points into the read-only mapping that ``file`` keeps alive
/// or into arrays this object owns, and nothing is written after `init`.
final class BERTWeights: @unchecked Sendable {
    /// One transformer layer. Matrices are row-major `out × in`, as PyTorch's `Linear` stores them.
    struct Layer {
        /// 3h×h: the query, key and value weights stacked.
        var queryKeyValueWeight: UnsafeBufferPointer<Float>
        /// 3h.
        var queryKeyValueBias: UnsafeBufferPointer<Float>
        var attentionOutputWeight: UnsafeBufferPointer<Float>
        var attentionOutputBias: UnsafeBufferPointer<Float>
        var attentionNormWeight: UnsafeBufferPointer<Float>
        var attentionNormBias: UnsafeBufferPointer<Float>
        var intermediateWeight: UnsafeBufferPointer<Float>
        var intermediateBias: UnsafeBufferPointer<Float>
        var outputWeight: UnsafeBufferPointer<Float>
        var outputBias: UnsafeBufferPointer<Float>
        var outputNormWeight: UnsafeBufferPointer<Float>
        var outputNormBias: UnsafeBufferPointer<Float>
    }

    let configuration: BERTConfiguration
    let file: SafetensorsFile
    let wordEmbeddings: UnsafeBufferPointer<Float>
    let positionEmbeddings: UnsafeBufferPointer<Float>
    let tokenTypeEmbeddings: UnsafeBufferPointer<Float>
    let embeddingNormWeight: UnsafeBufferPointer<Float>
    let embeddingNormBias: UnsafeBufferPointer<Float>
    let layers: [Layer]
    private let fused: UnsafeMutableBufferPointer<Float>

    /// Maps the weights and checks every tensor's dtype and shape against the configuration.
    /// - Throws: ``EmbeddingError`` when a tensor is missing, not F32, or of another shape.
    init(file: SafetensorsFile, configuration: BERTConfiguration) throws {
        self.file = file
        self.configuration = configuration
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        // Some exports prefix every name with `bert.`.
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws -> UnsafeBufferPointer<Float> {
            try file.floats(prefix + name, shape: shape)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [configuration.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [configuration.maximumPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [configuration.tokenTypes, h])
        embeddingNormWeight = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try tensor("embeddings.LayerNorm.bias", [h])

        let perLayer = 3 * h * h + 3 * h
        let fused = UnsafeMutableBufferPointer<Float>.allocate(capacity: perLayer * configuration.layers)
        self.fused = fused
        var layers: [Layer] = []
        do {
            for index in 0..<configuration.layers {
                let name = "encoder.layer.\(index)."
                let base = fused.baseAddress! + index * perLayer
                for (part, projection) in ["query", "key", "value"].enumerated() {
                    let weight = try tensor(name + "attention.self.\(projection).weight", [h, h])
                    let bias = try tensor(name + "attention.self.\(projection).bias", [h])
                    (base + part * h * h).initialize(from: weight.baseAddress!, count: h * h)
                    (base + 3 * h * h + part * h).initialize(from: bias.baseAddress!, count: h)
                }
                layers.append(
                    Layer(
                        queryKeyValueWeight: UnsafeBufferPointer(start: base, count: 3 * h * h),
                        queryKeyValueBias: UnsafeBufferPointer(start: base + 3 * h * h, count: 3 * h),
                        attentionOutputWeight: try tensor(name + "attention.output.dense.weight", [h, h]),
                        attentionOutputBias: try tensor(name + "attention.output.dense.bias", [h]),
                        attentionNormWeight: try tensor(name + "attention.output.LayerNorm.weight", [h]),
                        attentionNormBias: try tensor(name + "attention.output.LayerNorm.bias", [h]),
                        intermediateWeight: try tensor(name + "intermediate.dense.weight", [inner, h]),
                        intermediateBias: try tensor(name + "intermediate.dense.bias", [inner]),
                        outputWeight: try tensor(name + "output.dense.weight", [h, inner]),
                        outputBias: try tensor(name + "output.dense.bias", [h]),
                        outputNormWeight: try tensor(name + "output.LayerNorm.weight", [h]),
                        outputNormBias: try tensor(name + "output.LayerNorm.bias", [h])
                    )
                )
            }
        } catch {
            fused.deallocate()
            throw error
        }
        self.layers = layers
    }

    deinit { fused.deallocate() }
}
