import CBLAS
import CKernels
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
        /// A projection's input rows rounded to bfloat16 (bfloat16 products only).
        let converted: UnsafeMutablePointer<UInt32>?

        init(configuration: BERTConfiguration, precision: ProductPrecision, capacity: Int, longest: Int) {
            self.capacity = capacity
            self.longest = longest
            let h = configuration.hiddenSize
            hidden = .allocate(capacity: capacity * h)
            queryKeyValue = .allocate(capacity: capacity * 3 * h)
            context = .allocate(capacity: capacity * h)
            intermediate = .allocate(capacity: capacity * configuration.intermediateSize)
            scores = .allocate(capacity: longest * longest)
            let widest = max(h, configuration.intermediateSize)
            converted = precision == .bfloat16 ? .allocate(capacity: capacity * hg_bf16_pairs(widest)) : nil
        }

        deinit {
            hidden.deallocate()
            queryKeyValue.deallocate()
            context.deallocate()
            intermediate.deallocate()
            scores.deallocate()
            converted?.deallocate()
        }
    }

    /// Encodes a batch and writes one unit vector of `h` floats per sequence into `output`, in order.
    /// - Precondition: the sequences' total length fits the workspace, each is non-empty, no longer
    ///   than the position table, and every id is inside the vocabulary.
    /// - Parameter team: a session of helper threads (begun by the caller) that share the projections
    ///   of few rows (a query), or `nil` to run them on the calling thread; larger batches leave
    ///   threading to BLAS.
    func encode(
        _ sequences: [[Int]],
        workspace: Workspace,
        into output: UnsafeMutablePointer<Float>,
        team: OpaquePointer? = nil
    ) {
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
            weight: weights.embeddingNormWeight,
            bias: weights.embeddingNormBias,
            epsilon: epsilon
        )

        let scale = 1 / Float(d).squareRoot()
        for layer in weights.layers {
            // Fused projection: (T×h) · (3h×h)ᵀ + b → T×3h, columns [Q | K | V].
            Self.broadcast(layer.queryKeyValueBias, into: qkv, rows: total)
            Self.project(
                hidden,
                rows: total,
                through: layer.queryKeyValue,
                into: qkv,
                workspace: workspace,
                team: team
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
                    hg_softmax_rows(scores, n, n)
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
            Self.project(
                context,
                rows: total,
                through: layer.attentionOutput,
                into: hidden,
                workspace: workspace,
                team: team
            )
            Self.layerNorm(
                hidden,
                rows: total,
                weight: layer.attentionNormWeight,
                bias: layer.attentionNormBias,
                epsilon: epsilon
            )
            // Feed-forward: (T×h) · (f×h)ᵀ + b → T×f, GELU; hidden += (T×f) · (h×f)ᵀ + b; LayerNorm.
            Self.broadcast(layer.intermediateBias, into: intermediate, rows: total)
            Self.project(
                hidden,
                rows: total,
                through: layer.intermediate,
                into: intermediate,
                workspace: workspace,
                team: team
            )
            hg_gelu(intermediate, total * f)
            Self.addBias(layer.outputBias, to: hidden, rows: total)
            Self.project(
                intermediate,
                rows: total,
                through: layer.output,
                into: hidden,
                workspace: workspace,
                team: team
            )
            Self.layerNorm(
                hidden,
                rows: total,
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

    /// At most this many token rows go through ``hg_gemm_nt_accumulate`` instead of `sgemm`: for a
    /// query's few tokens, packing the weight matrix (which `sgemm` does on every call) costs more than
    /// the product itself. Measured on OpenBLAS 0.3.21, Zen 3, all six layers' products: 32 rows 14.0
    /// vs 19.4 ms on one thread and 6.9 vs 11.9 ms on two (a spinning team against OpenBLAS' threads),
    /// 64 rows 25.3 vs 28.7 and 14.8 vs 15.5 ms; even at 96 rows.
    static let unpackedRowLimit = 64

    /// `output += input · weightᵀ`: `input` is rows × width, the weight outputs × width (as stored
    /// in the checkpoint), `output` is rows × outputs. With bfloat16 products the input rows are
    /// rounded into the workspace and multiplied by the packed weight, split by panels of output
    /// columns across `team` when there is one. In float32, few rows go through the unpacked kernel,
    /// split by output columns across `team` when there is one, and more go to `sgemm`.
    private static func project(
        _ input: UnsafeMutablePointer<Float>,
        rows: Int,
        through weight: BERTWeights.Projection,
        into output: UnsafeMutablePointer<Float>,
        workspace: Workspace,
        team: OpaquePointer?
    ) {
        let (width, outputs) = (weight.width, weight.outputs)
        if let packed = weight.packed {
            guard let converted = workspace.converted else {
                preconditionFailure("packed weights need a workspace made for bfloat16 products")
            }
            hg_bf16_convert_rows(rows, width, input, width, converted)
            if let team {
                hg_team_gemm_bf16_accumulate(team, rows, outputs, width, converted, packed, output, outputs)
            } else {
                hg_gemm_bf16_accumulate(
                    rows,
                    outputs,
                    width,
                    converted,
                    packed,
                    output,
                    outputs,
                    0,
                    hg_bf16_panels(outputs)
                )
            }
            return
        }
        guard let floats = weight.floats else { preconditionFailure("a projection without float32 weights") }
        if rows <= unpackedRowLimit {
            if let team {
                hg_team_gemm_nt_accumulate(team, rows, outputs, width, input, width, floats, width, output, outputs)
            } else {
                hg_gemm_nt_accumulate(rows, outputs, width, input, width, floats, width, output, outputs)
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            CblasNoTrans,
            CblasTrans,
            Int32(rows),
            Int32(outputs),
            Int32(width),
            1,
            input,
            Int32(width),
            floats,
            Int32(width),
            1,
            output,
            Int32(outputs)
        )
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
        weight: UnsafeBufferPointer<Float>,
        bias: UnsafeBufferPointer<Float>,
        epsilon: Float
    ) {
        hg_layer_norm(matrix, rows, weight.count, weight.baseAddress, bias.baseAddress, epsilon)
    }
}
