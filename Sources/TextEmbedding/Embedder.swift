/// Who made a vector: the model's name, its weights' checksum, the dimension and a version.
///
/// Stored with every vector; a space embedded by one identity refuses queries from another.
public struct EmbedderIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A stable name that includes what determines the vectors (`all-MiniLM-L6-v2@53aa5117`).
    public var id: String
    /// The vectors' length.
    public var dimension: Int
    /// The version of the embedding code (tokenizer, pooling): bump it when vectors would change.
    public var version: Int

    /// Creates an identity.
    public init(id: String, dimension: Int, version: Int) {
        self.id = id
        self.dimension = dimension
        self.version = version
    }

    /// `all-MiniLM-L6-v2@53aa5117 (384-d, v1)`.
    public var description: String { "\(id) (\(dimension)-d, v\(version))" }
}

/// Turns texts into unit-length vectors.
///
/// Implementations are deterministic: the same text always gets the same vector.
public protocol Embedder: Sendable {
    /// What stamps the vectors this embedder makes.
    var identity: EmbedderIdentity { get }

    /// Embeds texts, in order; each vector has ``EmbedderIdentity/dimension`` numbers and unit length.
    /// - Throws: when the model cannot run.
    func embed(_ texts: [String]) throws -> [[Float]]

    /// Embeds texts like ``embed(_:)`` but on the calling thread alone, for a caller that keeps the
    /// other cores busy with work of its own meanwhile. The vectors equal ``embed(_:)``'s up to float
    /// rounding. The default implementation calls ``embed(_:)``.
    func embedOnCallingThread(_ texts: [String]) throws -> [[Float]]
}

extension Embedder {
    public func embedOnCallingThread(_ texts: [String]) throws -> [[Float]] {
        try embed(texts)
    }

    /// Embeds one text.
    public func embed(_ text: String) throws -> [Float] {
        try embed([text])[0]
    }
}
