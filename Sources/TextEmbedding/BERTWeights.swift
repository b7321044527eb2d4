import CKernels
import Foundation

/// How the encoder's four projections per layer multiply: in float32 (`sgemm`), or with both
/// operands rounded to bfloat16 and the products summed in float32 (`vdpbf16ps`, twice the float32
/// rate on processors with AVX-512 BF16). Attention, softmax, GELU and LayerNorm stay in float32.
public enum ProductPrecision: String, Sendable, CaseIterable {
    case float32
    case bfloat16

    /// bfloat16 where the processor has AVX-512 BF16, float32 elsewhere.
    public static var fastest: ProductPrecision { hg_bf16_supported() != 0 ? .bfloat16 : .float32 }
}

/// The weights of a BERT encoder. The embedding tables are read in place from the memory-mapped
/// safetensors file (only the rows of the words in use are ever paged in); the layers' tensors are
/// copied into one 64-byte-aligned arena, with the query, key and value projections stacked into one
/// 3h×h matrix per layer so that one product makes all three. The file's tensors start at an offset
/// of no particular alignment (the JSON header's length decides it), and vector loads that straddle
/// cache lines made the query-sized products about 10% slower. With bfloat16 products the four
/// projection matrices are kept only packed (``hg_bf16_pack``), half the bytes of float32.
///
/// `@unchecked Sendable`: every pointer points into the read-only mapping that ``file`` keeps alive
/// or into the arena this object owns, and nothing is written after `init`.
final class BERTWeights: @unchecked Sendable {
    /// A projection's weight, `outputs × width` as PyTorch's `Linear` stores it: float32 rows, or
    /// bfloat16 panels, as ``precision`` says.
    struct Projection {
        let outputs: Int
        let width: Int
        /// The float32 matrix (float32 products only).
        let floats: UnsafePointer<Float>?
        /// The packed bfloat16 matrix (bfloat16 products only).
        let packed: UnsafePointer<UInt32>?
    }

    /// One transformer layer.
    struct Layer {
        /// 3h×h: the query, key and value weights stacked.
        var queryKeyValue: Projection
        /// 3h.
        var queryKeyValueBias: UnsafeBufferPointer<Float>
        var attentionOutput: Projection
        var attentionOutputBias: UnsafeBufferPointer<Float>
        var attentionNormWeight: UnsafeBufferPointer<Float>
        var attentionNormBias: UnsafeBufferPointer<Float>
        var intermediate: Projection
        var intermediateBias: UnsafeBufferPointer<Float>
        var output: Projection
        var outputBias: UnsafeBufferPointer<Float>
        var outputNormWeight: UnsafeBufferPointer<Float>
        var outputNormBias: UnsafeBufferPointer<Float>
    }

    let configuration: BERTConfiguration
    let precision: ProductPrecision
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
    init(file: SafetensorsFile, configuration: BERTConfiguration, precision: ProductPrecision) throws {
        self.file = file
        self.configuration = configuration
        self.precision = precision
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

        // Each tensor starts on a 64-byte boundary (16 four-byte words). A matrix takes its float32
        // size, or its packed size in 32-bit words (each holding two bfloat16).
        func rounded(_ count: Int) -> Int { (count + 15) / 16 * 16 }
        let packs = precision == .bfloat16
        func matrixWords(_ outputs: Int, _ width: Int) -> Int {
            rounded(packs ? hg_bf16_packed_words(outputs, width) : outputs * width)
        }
        let vectors = [3 * h, h, h, h, inner, h, h, h].map(rounded).reduce(0, +)
        let matrices = matrixWords(3 * h, h) + matrixWords(h, h) + matrixWords(inner, h) + matrixWords(h, inner)
        let perLayer = vectors + matrices
        let arena = UnsafeMutableRawPointer.allocate(
            byteCount: perLayer * configuration.layers * MemoryLayout<Float>.size,
            alignment: 64
        )
        self.arena = arena
        var next = arena
        func take(_ words: Int) -> UnsafeMutableRawPointer {
            defer { next += rounded(words) * MemoryLayout<Float>.size }
            return next
        }
        func copy(_ name: String, _ shape: [Int]) throws -> UnsafeBufferPointer<Float> {
            let source = try tensor(name, shape)
            let target = take(source.count).bindMemory(to: Float.self, capacity: source.count)
            target.initialize(from: source.baseAddress!, count: source.count)
            return UnsafeBufferPointer(start: target, count: source.count)
        }
        /// A projection from row-major `outputs × width` floats: copied, or packed.
        func projection(from source: UnsafePointer<Float>, outputs: Int, width: Int) -> Projection {
            if packs {
                let words = hg_bf16_packed_words(outputs, width)
                let target = take(words).bindMemory(to: UInt32.self, capacity: words)
                hg_bf16_pack(outputs, width, source, width, target)
                return Projection(outputs: outputs, width: width, floats: nil, packed: target)
            }
            let target = take(outputs * width).bindMemory(to: Float.self, capacity: outputs * width)
            target.initialize(from: source, count: outputs * width)
            return Projection(outputs: outputs, width: width, floats: target, packed: nil)
        }
        func projection(_ name: String, outputs: Int, width: Int) throws -> Projection {
            projection(from: try tensor(name, [outputs, width]).baseAddress!, outputs: outputs, width: width)
        }
        // The stacked query, key and value weights are assembled here before they are copied or packed.
        let stacked = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h * h)
        defer { stacked.deallocate() }
        var layers: [Layer] = []
        do {
            for index in 0..<configuration.layers {
                let name = "encoder.layer.\(index)."
                let stackedBias = take(3 * h).bindMemory(to: Float.self, capacity: 3 * h)
                for (part, projection) in ["query", "key", "value"].enumerated() {
                    let weight = try tensor(name + "attention.self.\(projection).weight", [h, h])
                    let bias = try tensor(name + "attention.self.\(projection).bias", [h])
                    (stacked + part * h * h).update(from: weight.baseAddress!, count: h * h)
                    (stackedBias + part * h).initialize(from: bias.baseAddress!, count: h)
                }
                layers.append(
                    Layer(
                        queryKeyValue: projection(from: stacked, outputs: 3 * h, width: h),
                        queryKeyValueBias: UnsafeBufferPointer(start: stackedBias, count: 3 * h),
                        attentionOutput: try projection(name + "attention.output.dense.weight", outputs: h, width: h),
                        attentionOutputBias: try copy(name + "attention.output.dense.bias", [h]),
                        attentionNormWeight: try copy(name + "attention.output.LayerNorm.weight", [h]),
                        attentionNormBias: try copy(name + "attention.output.LayerNorm.bias", [h]),
                        intermediate: try projection(name + "intermediate.dense.weight", outputs: inner, width: h),
                        intermediateBias: try copy(name + "intermediate.dense.bias", [inner]),
                        output: try projection(name + "output.dense.weight", outputs: h, width: inner),
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
