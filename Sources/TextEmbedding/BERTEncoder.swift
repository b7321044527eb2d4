import CBLAS
import Foundation

/// The BERT forward pass on BLAS, with mean pooling and L2 normalization.
///
/// A batch is a list of token-id sequences of any lengths. Their rows are packed one after another
/// (no padding rows at all), so every dense layer is one `sgemm` over all the batch's tokens, and
/// attention runs per sequence over exactly its own keys — the same result as padding with an
/// attention mask, without computing the padded rows. Shapes below: `T` is the batch's total token
/// count, `n` one sequence's length, `h` the hidden size (384), `3h` the fused projection (1152),
/// `f` the feed-forward size (1536), `d` a head's width (32).
struct BERTEncoder: Sendable {
    let weights: BERTWeights

    /// Scratch memory for one batch of up to `capacity` tokens and sequences of up to `longest` tokens.
    /// Allocated once per `embed` call and reused for every batch and layer.
    final class Workspace {
        let capacity: Int
        let longest: Int
        let hidden: UnsafeMutablePointer<Float>
        let queryKeyValue: UnsafeMutablePointer<Float>
        let context: UnsafeMutablePointer<Float>
        let intermediate: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>

        init(configuration: BERTConfiguration, capacity: Int, longest: Int) {
            self.capacity = capacity
            self.longest = longest
            let h = configuration.hiddenSize
            hidden = .allocate(capacity: capacity * h)
            queryKeyValue = .allocate(capacity: capacity * 3 * h)
            context = .allocate(capacity: capacity * h)
            intermediate = .allocate(capacity: capacity * configuration.intermediateSize)
            scores = .allocate(capacity: longest * longest)
        }

        deinit {
            hidden.deallocate()
            queryKeyValue.deallocate()
            context.deallocate()
            intermediate.deallocate()
            scores.deallocate()
        }
    }

    /// Encodes a batch and writes one unit vector of `h` floats per sequence into `output`, in order.
    /// - Precondition: the sequences' total length fits the workspace, each is non-empty, no longer
    ///   than the position table, and every id is inside the vocabulary.
    func encode(_ sequences: [[Int]], workspace: Workspace, into output: UnsafeMutablePointer<Float>) {
        let configuration = weights.configuration
        let h = configuration.hiddenSize
        let f = configuration.intermediateSize
        let heads = configuration.attentionHeads
        let d = configuration.headSize
        let total = sequences.reduce(0) { $0 + $1.count }
        precondition(total <= workspace.capacity, "batch larger than the workspace")
        let hidden = workspace.hidden
        let qkv = workspace.queryKeyValue
        let context = workspace.context
        let intermediate = workspace.intermediate
        let scores = workspace.scores
        let epsilon = configuration.layerNormEpsilon

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        for sequence in sequences {
            precondition(sequence.count <= workspace.longest, "sequence longer than the workspace")
            for (position, id) in sequence.enumerated() {
                let target = hidden + row * h
                let word = weights.wordEmbeddings.baseAddress! + id * h
                let place = weights.positionEmbeddings.baseAddress! + position * h
                let type = weights.tokenTypeEmbeddings.baseAddress!
                for column in 0..<h { target[column] = word[column] + place[column] + type[column] }
                row += 1
            }
        }
        Self.layerNorm(
            hidden,
            rows: total,
            width: h,
            weight: weights.embeddingNormWeight,
            bias: weights.embeddingNormBias,
            epsilon: epsilon
        )

        let scale = 1 / Float(d).squareRoot()
        let t = Int32(total)
        for layer in weights.layers {
            // Fused projection: (T×h) · (3h×h)ᵀ + b → T×3h, columns [Q | K | V].
            Self.broadcast(layer.queryKeyValueBias, into: qkv, rows: total)
            cblas_sgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasTrans,
                t,
                Int32(3 * h),
                Int32(h),
                1,
                hidden,
                Int32(h),
                layer.queryKeyValueWeight.baseAddress,
                Int32(h),
                1,
                qkv,
                Int32(3 * h)
            )
            // Attention, per sequence and head, over the sequence's own keys only.
            var start = 0
            for sequence in sequences {
                let n = sequence.count
                let rows = qkv + start * 3 * h
                for head in 0..<heads {
                    let query = rows + head * d
                    let key = rows + h + head * d
                    let value = rows + 2 * h + head * d
                    // (n×d) · (n×d)ᵀ / √d → n×n
                    cblas_sgemm(
                        CblasRowMajor,
                        CblasNoTrans,
                        CblasTrans,
                        Int32(n),
                        Int32(n),
                        Int32(d),
                        scale,
                        query,
                        Int32(3 * h),
                        key,
                        Int32(3 * h),
                        0,
                        scores,
                        Int32(n)
                    )
                    Self.softmaxRows(scores, rows: n, width: n)
                    // (n×n) · (n×d) → n×d, into the head's columns of the context.
                    cblas_sgemm(
                        CblasRowMajor,
                        CblasNoTrans,
                        CblasNoTrans,
                        Int32(n),
                        Int32(d),
                        Int32(n),
                        1,
                        scores,
                        Int32(n),
                        value,
                        Int32(3 * h),
                        0,
                        context + start * h + head * d,
                        Int32(h)
                    )
                }
                start += n
            }
            // Output projection + residual: hidden += (T×h) · (h×h)ᵀ + b, then LayerNorm.
            Self.addBias(layer.attentionOutputBias, to: hidden, rows: total)
            cblas_sgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasTrans,
                t,
                Int32(h),
                Int32(h),
                1,
                context,
                Int32(h),
                layer.attentionOutputWeight.baseAddress,
                Int32(h),
                1,
                hidden,
                Int32(h)
            )
            Self.layerNorm(
                hidden,
                rows: total,
                width: h,
                weight: layer.attentionNormWeight,
                bias: layer.attentionNormBias,
                epsilon: epsilon
            )
            // Feed-forward: (T×h) · (f×h)ᵀ + b → T×f, GELU; hidden += (T×f) · (h×f)ᵀ + b; LayerNorm.
            Self.broadcast(layer.intermediateBias, into: intermediate, rows: total)
            cblas_sgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasTrans,
                t,
                Int32(f),
                Int32(h),
                1,
                hidden,
                Int32(h),
                layer.intermediateWeight.baseAddress,
                Int32(h),
                1,
                intermediate,
                Int32(f)
            )
            Self.gelu(intermediate, count: total * f)
            Self.addBias(layer.outputBias, to: hidden, rows: total)
            cblas_sgemm(
                CblasRowMajor,
                CblasNoTrans,
                CblasTrans,
                t,
                Int32(h),
                Int32(f),
                1,
                intermediate,
                Int32(f),
                layer.outputWeight.baseAddress,
                Int32(f),
                1,
                hidden,
                Int32(h)
            )
            Self.layerNorm(
                hidden,
                rows: total,
                width: h,
                weight: layer.outputNormWeight,
                bias: layer.outputNormBias,
                epsilon: epsilon
            )
        }

        // Mean pooling over each sequence's tokens, then L2 normalization.
        var first = 0
        for (index, sequence) in sequences.enumerated() {
            let target = output + index * h
            target.update(repeating: 0, count: h)
            for token in 0..<sequence.count {
                let source = hidden + (first + token) * h
                for column in 0..<h { target[column] += source[column] }
            }
            first += sequence.count
            var norm: Float = 0
            for column in 0..<h { norm += target[column] * target[column] }
            // The mean's 1/n cancels in the normalization; dividing by the norm alone is enough.
            let inverse = norm > 0 ? 1 / norm.squareRoot() : 0
            for column in 0..<h { target[column] *= inverse }
        }
    }

    /// Copies a bias row into every row of a matrix (to be accumulated into by `sgemm` with β = 1).
    private static func broadcast(
        _ bias: UnsafeBufferPointer<Float>,
        into matrix: UnsafeMutablePointer<Float>,
        rows: Int
    ) {
        let width = bias.count
        for row in 0..<rows { (matrix + row * width).update(from: bias.baseAddress!, count: width) }
    }

    /// Adds a bias row to every row of a matrix.
    private static func addBias(_ bias: UnsafeBufferPointer<Float>, to matrix: UnsafeMutablePointer<Float>, rows: Int) {
        let width = bias.count
        for row in 0..<rows {
            let target = matrix + row * width
            for column in 0..<width { target[column] += bias[column] }
        }
    }

    /// LayerNorm of each row in place: (x − mean) / √(variance + ε) · weight + bias.
    private static func layerNorm(
        _ matrix: UnsafeMutablePointer<Float>,
        rows: Int,
        width: Int,
        weight: UnsafeBufferPointer<Float>,
        bias: UnsafeBufferPointer<Float>,
        epsilon: Float
    ) {
        for row in 0..<rows {
            let values = matrix + row * width
            var sum: Float = 0
            for column in 0..<width { sum += values[column] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for column in 0..<width {
                let centered = values[column] - mean
                squares += centered * centered
            }
            let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
            for column in 0..<width {
                values[column] = (values[column] - mean) * inverse * weight[column] + bias[column]
            }
        }
    }

    /// Softmax of each row in place.
    private static func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for row in 0..<rows {
            let values = matrix + row * width
            var maximum = -Float.infinity
            for column in 0..<width { maximum = max(maximum, values[column]) }
            var sum: Float = 0
            for column in 0..<width {
                let value = expf(values[column] - maximum)
                values[column] = value
                sum += value
            }
            let inverse = 1 / sum
            for column in 0..<width { values[column] *= inverse }
        }
    }

    /// GELU in place, the exact form: x · ½ · (1 + erf(x / √2)).
    private static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let inverseRootTwo: Float = 0.707_106_781_186_547_5
        for index in 0..<count {
            let x = values[index]
            values[index] = 0.5 * x * (1 + erff(x * inverseRootTwo))
        }
    }
}
