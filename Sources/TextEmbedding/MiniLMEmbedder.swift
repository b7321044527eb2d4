import CBLAS
import CKernels
import Crypto
public import Foundation

/// all-MiniLM-L6-v2 (sentence-transformers), run natively: the BERT uncased WordPiece tokenizer, the
/// 6-layer encoder on BLAS (or on bfloat16 products, see ``ProductPrecision``), mean pooling and L2
/// normalization. 384-d unit vectors that match sentence-transformers on PyTorch to a cosine of 0.9999
/// or better.
///
/// The weights are memory-mapped from `model.safetensors`, not copied; resident memory grows only
/// with the pages that are read (the rows of the word-embedding table the texts use).
///
/// ```swift
/// let embedder = try MiniLMEmbedder(modelDirectory: ModelLocator.defaultDirectory(), threads: 1)
/// let vectors = try embedder.embed(["What was my last cholesterol result?"])
/// ```
public struct MiniLMEmbedder: Embedder {
    public let identity: EmbedderIdentity
    /// The tokenizer the model was trained with.
    public let tokenizer: WordPieceTokenizer
    /// The BLAS thread count set before each ``embed(_:)``, or `nil` to leave BLAS' own setting.
    public let threads: Int?
    /// How the projections multiply: bfloat16 products (float32 sums) or float32 throughout.
    public var precision: ProductPrecision { encoder.weights.precision }

    /// The model's name in the identity.
    public static let modelName = "all-MiniLM-L6-v2"
    /// The longest sequence the model reads (its `max_seq_length`), `[CLS]` and `[SEP]` included.
    public static let maximumSequenceLength = 256
    /// The most texts encoded together.
    static let batchSize = 32
    /// The most tokens encoded together (bounds the scratch memory to about 16 MB).
    static let tokensPerBatch = 2_048

    private let encoder: BERTEncoder
    /// Helper threads that share a query's products with the caller (`threads` above 1 only).
    private let team: EncoderTeam?

    /// Loads the model from a folder holding `config.json`, `vocab.txt` and `model.safetensors`.
    ///
    /// The identity is `all-MiniLM-L6-v2@` and the first 8 hex digits of the weights' SHA-256. The
    /// digest is taken from the `.verified` stamp that `scripts/setup.sh` writes after it hashed the
    /// file, when the stamp's size matches the file's; otherwise the mapped file is hashed (about half
    /// a second).
    /// - Parameters:
    ///   - modelDirectory: the model folder (see `ModelLocator` in `HealthGround`).
    ///   - threads: the BLAS thread count to use (OpenBLAS only; process-wide), or `nil` for BLAS' default.
    ///   - precision: how the projections multiply. The default, ``ProductPrecision/fastest``, is
    ///     bfloat16 products where the processor has AVX-512 BF16 (about twice the float32 rate; cosine
    ///     0.99997 or better with PyTorch's float32 embeddings on the reference texts) and float32
    ///     elsewhere. `.bfloat16` on a processor without it gives float32, as ``precision`` then says.
    ///     The identity does not depend on it: both give the same model's vectors.
    /// - Throws: ``EmbeddingError`` when a file is missing or malformed, or a tensor's type or shape
    ///   does not match `config.json`.
    public init(modelDirectory: URL, threads: Int? = nil, precision: ProductPrecision = .fastest) throws {
        let configuration = try BERTConfiguration(url: modelDirectory.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(url: modelDirectory.appendingPathComponent("model.safetensors"))
        let weights = try BERTWeights(
            file: file,
            configuration: configuration,
            precision: precision == .bfloat16 ? .fastest : .float32
        )
        let length = min(Self.maximumSequenceLength, configuration.maximumPositions)
        tokenizer = try WordPieceTokenizer(
            vocabulary: modelDirectory.appendingPathComponent("vocab.txt"),
            maximumLength: length
        )
        guard tokenizer.vocabularySize == configuration.vocabularySize else {
            throw EmbeddingError(
                .shapeMismatch,
                file: "vocab.txt",
                expected: "\(configuration.vocabularySize) entries (vocab_size), found \(tokenizer.vocabularySize)"
            )
        }
        precondition(threads.map { $0 > 0 } ?? true, "threads must be positive")
        self.threads = threads
        encoder = BERTEncoder(weights: weights)
        team = EncoderTeam(helpers: (threads ?? 1) - 1)
        let digest = Self.weightsDigest(file: file, directory: modelDirectory)
        identity = EmbedderIdentity(
            id: "\(Self.modelName)@\(digest.prefix(8))",
            dimension: configuration.hiddenSize,
            version: 1
        )
        // The layers now live in the weights' own arena and the digest is taken: only the embedding
        // tables are still read from the mapping, a row at a time.
        file.file.releaseResidentPages()
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        try embed(tokenIDs: texts.map(tokenizer.tokenIDs(for:)))
    }

    /// Embeds on the calling thread, with BLAS on one thread and without the helper threads.
    public func embedOnCallingThread(_ texts: [String]) throws -> [[Float]] {
        try embed(tokenIDs: texts.map(tokenizer.tokenIDs(for:)), alone: true)
    }

    /// Embeds texts already turned into ids by ``tokenizer``, in order.
    ///
    /// Sequences are sorted by length and grouped into batches of up to 32 sequences and 2,048 tokens,
    /// so that texts of similar length run together. With `threads` above 1 and more than one batch,
    /// the batches are shared among `threads` workers that each run BLAS on one thread (the encoder's
    /// softmax, GELU and attention then run in parallel too, not only its matrix products). A single
    /// batch, such as a query, shares each projection with the embedder's helper threads, woken once
    /// for the whole pass and spinning between its products (when another call holds them, it runs on
    /// the calling thread alone); in float32 that is so for up to 64 tokens, and a larger single batch
    /// runs BLAS on `threads` threads.
    /// - Precondition: every sequence is non-empty, at most ``maximumSequenceLength`` long, and its ids
    ///   are in the vocabulary.
    public func embed(tokenIDs sequences: [[Int]]) throws -> [[Float]] {
        try embed(tokenIDs: sequences, alone: false)
    }

    /// ``embed(tokenIDs:)``, or with `alone` on the calling thread only.
    private func embed(tokenIDs sequences: [[Int]], alone: Bool) throws -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let dimension = identity.dimension
        let vocabulary = tokenizer.vocabularySize
        for sequence in sequences {
            precondition(!sequence.isEmpty && sequence.count <= tokenizer.maximumLength, "sequence length out of range")
            precondition(sequence.allSatisfy { $0 >= 0 && $0 < vocabulary }, "token id outside the vocabulary")
        }
        let order = sequences.indices.sorted {
            sequences[$0].count > sequences[$1].count || (sequences[$0].count == sequences[$1].count && $0 < $1)
        }
        let longest = sequences[order[0]].count
        // Scratch for the largest batch this call forms, not for the largest any call could.
        let totalTokens = sequences.reduce(0) { $0 + $1.count }
        // With several workers the tokens are split into a multiple of `workers` batches of about
        // equal size, so that no worker idles while another finishes a long batch.
        let wanted = alone ? 1 : max(1, threads ?? 1)
        let batchCount = (totalTokens + Self.tokensPerBatch - 1) / Self.tokensPerBatch
        let evenCount = (batchCount + wanted - 1) / wanted * wanted
        let target = sequences.count > 1 ? (totalTokens + evenCount - 1) / evenCount : totalTokens
        let capacity = max(min(Self.tokensPerBatch, target), longest)
        var batches: [[Int]] = []
        var batch: [Int] = []
        var batchTokens = 0
        for index in order {
            let count = sequences[index].count
            if !batch.isEmpty && (batch.count == Self.batchSize || batchTokens + count > capacity) {
                batches.append(batch)
                batch = []
                batchTokens = 0
            }
            batch.append(index)
            batchTokens += count
        }
        batches.append(batch)

        let workers = min(wanted, batches.count)
        let groups = batches
        // BLAS runs on one thread when the workers, the helper threads (a query's few rows in float32,
        // any single batch with bfloat16 products) or the calling thread alone use the cores
        // themselves: OpenBLAS' own threads, spinning between calls, would compete with them.
        let teamed = totalTokens <= BERTEncoder.unpackedRowLimit || encoder.weights.precision == .bfloat16
        let ownThreads = workers > 1 || teamed || alone
        if let threads { hg_blas_set_threads(Int32(ownThreads ? 1 : threads)) }
        // One row of `dimension` floats per sequence, in the input order; each worker writes only the
        // rows of its own batches.
        let result = ResultRows(base: .allocate(capacity: sequences.count * dimension))
        defer { result.base.deallocate() }
        let encoder = encoder
        let configuration = encoder.weights.configuration
        let work: @Sendable (Int, EncoderTeam.Session?) -> Void = { worker, session in
            let workspace = BERTEncoder.Workspace(
                configuration: configuration,
                precision: encoder.weights.precision,
                capacity: capacity,
                longest: longest
            )
            let output = UnsafeMutablePointer<Float>.allocate(capacity: Self.batchSize * dimension)
            defer { output.deallocate() }
            // Batches are sorted longest first; dealing them round-robin keeps the workers' loads close.
            for number in stride(from: worker, to: groups.count, by: workers) {
                let members = groups[number]
                encoder.encode(
                    members.map { sequences[$0] },
                    workspace: workspace,
                    into: output,
                    team: session?.pointer
                )
                for (slot, index) in members.enumerated() {
                    (result.base + index * dimension).update(from: output + slot * dimension, count: dimension)
                }
            }
        }
        if workers > 1 {
            DispatchQueue.concurrentPerform(iterations: workers) { work($0, nil) }
        } else if teamed, !alone, let team {
            team.withSession { work(0, $0) }
        } else {
            work(0, nil)
        }
        return (0..<sequences.count).map {
            Array(UnsafeBufferPointer(start: result.base + $0 * dimension, count: dimension))
        }
    }

    /// Floating-point operations (a multiply-add counts two) of the forward pass for one sequence of
    /// `tokens` tokens: per layer, the four projections, 2·n·(4h² + 2hf), and attention's two
    /// products, 4·n²·h. Element-wise work (softmax, GELU, LayerNorm) is left out.
    public func forwardOperations(tokens: Int) -> Double {
        let configuration = encoder.weights.configuration
        let (n, h, f) = (Double(tokens), Double(configuration.hiddenSize), Double(configuration.intermediateSize))
        let perLayer = 2 * n * (4 * h * h + 2 * h * f) + 4 * n * n * h
        return perLayer * Double(configuration.layers)
    }

    /// The weights' SHA-256 in hex: from `setup.sh`'s `.verified` stamp when its size matches, else computed.
    static func weightsDigest(file: SafetensorsFile, directory: URL) -> String {
        let stamp = directory.appendingPathComponent(".verified")
        if let text = try? String(contentsOf: stamp, encoding: .utf8) {
            let fields = text.split(whereSeparator: \.isWhitespace)
            if fields.count == 2, fields[0].count == 64, fields[0].allSatisfy(\.isHexDigit),
                Int(fields[1]) == file.file.bytes.count
            {
                return fields[0].lowercased()
            }
        }
        return SHA256.hash(data: file.file.bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// The output rows shared by the encoder's workers; each worker writes disjoint rows, and the rows are
/// read only after every worker has finished.
private struct ResultRows: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// Helper threads for a query's forward pass (`hg_team_create`): created with the embedder when it
/// may use more than one thread, stopped when the last copy of the embedder goes away. Outside a
/// session they spin on for 0.2 ms, so that back-to-back queries find them awake, then sleep.
final class EncoderTeam: @unchecked Sendable {
    /// A begun session's handle, passed to the encoder.
    struct Session: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let pointer: OpaquePointer

    /// `nil` for no helpers, or when the threads cannot be created (queries then run on one thread).
    init?(helpers: Int) {
        guard helpers > 0, let pointer = hg_team_create(helpers) else { return nil }
        self.pointer = pointer
    }

    deinit { hg_team_destroy(pointer) }

    /// Runs `body` inside a session of the team, or with `nil` when another call holds the team.
    func withSession<Result>(_ body: (Session?) -> Result) -> Result {
        guard hg_team_begin(pointer) != 0 else { return body(nil) }
        defer { hg_team_end(pointer) }
        return body(Session(pointer: pointer))
    }
}
