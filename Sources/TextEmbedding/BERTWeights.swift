import Foundation

/// The weights of a BERT encoder. The embedding tables are read in place from the memory-mapped
/// safetensors file (only the rows of the words in use are ever paged in); the layers' tensors are
/// copied into one 64-byte-aligned arena, with the query, key and value projections stacked into one
/// 3h×h matrix per layer so that one product makes all three. The file's tensors start at an offset
/// of no particular alignment (the JSON header's length decides it), and vector loads that straddle
/// cache lines made the query-sized products about 10% slower.
///
/// `@unchecked Sendable`: every pointer points into the read-only mapping that ``file`` keeps alive
/// or into the arena this object owns, and nothing is written after `init`.
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
    private let arena: UnsafeMutableRawPointer

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

        // Each tensor starts on a 64-byte boundary (16 floats).
        func rounded(_ count: Int) -> Int { (count + 15) / 16 * 16 }
        let sizes = [3 * h * h, 3 * h, h * h, h, h, h, inner * h, inner, h * inner, h, h, h]
        let perLayer = sizes.map(rounded).reduce(0, +)
        let arena = UnsafeMutableRawPointer.allocate(
            byteCount: perLayer * configuration.layers * MemoryLayout<Float>.size,
            alignment: 64
        )
        self.arena = arena
        var next = arena.bindMemory(to: Float.self, capacity: perLayer * configuration.layers)
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { next += rounded(count) }
            return next
        }
        func copy(_ name: String, _ shape: [Int]) throws -> UnsafeBufferPointer<Float> {
            let source = try tensor(name, shape)
            let target = take(source.count)
            target.initialize(from: source.baseAddress!, count: source.count)
            return UnsafeBufferPointer(start: target, count: source.count)
        }
        var layers: [Layer] = []
        do {
            for index in 0..<configuration.layers {
                let name = "encoder.layer.\(index)."
                let stackedWeight = take(3 * h * h)
                let stackedBias = take(3 * h)
                for (part, projection) in ["query", "key", "value"].enumerated() {
                    let weight = try tensor(name + "attention.self.\(projection).weight", [h, h])
                    let bias = try tensor(name + "attention.self.\(projection).bias", [h])
                    (stackedWeight + part * h * h).initialize(from: weight.baseAddress!, count: h * h)
                    (stackedBias + part * h).initialize(from: bias.baseAddress!, count: h)
                }
                layers.append(
                    Layer(
                        queryKeyValueWeight: UnsafeBufferPointer(start: stackedWeight, count: 3 * h * h),
                        queryKeyValueBias: UnsafeBufferPointer(start: stackedBias, count: 3 * h),
                        attentionOutputWeight: try copy(name + "attention.output.dense.weight", [h, h]),
                        attentionOutputBias: try copy(name + "attention.output.dense.bias", [h]),
                        attentionNormWeight: try copy(name + "attention.output.LayerNorm.weight", [h]),
                        attentionNormBias: try copy(name + "attention.output.LayerNorm.bias", [h]),
                        intermediateWeight: try copy(name + "intermediate.dense.weight", [inner, h]),
                        intermediateBias: try copy(name + "intermediate.dense.bias", [inner]),
                        outputWeight: try copy(name + "output.dense.weight", [h, inner]),
                        outputBias: try copy(name + "output.dense.bias", [h]),
                        outputNormWeight: try copy(name + "output.LayerNorm.weight", [h]),
                        outputNormBias: try copy(name + "output.LayerNorm.bias", [h])
                    )
                )
            }
        } catch {
            arena.deallocate()
            throw error
        }
        self.layers = layers
    }

    deinit { arena.deallocate() }
}
