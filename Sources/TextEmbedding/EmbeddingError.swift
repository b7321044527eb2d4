/// An error while loading or running an embedding model: it says where and why, never the text.
///
/// ``description`` names the model file and the place in it (a tensor name, a config key, a line of
/// the vocabulary) and what was expected. It never quotes a text that was being embedded.
public struct EmbeddingError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in kind.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unreadable
            case malformed
            case missingTensor
            case shapeMismatch
            case unsupportedType
            case unsupportedModel
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A model file could not be opened, sized or mapped.
        public static let unreadable = Code(.unreadable)
        /// A model file is not shaped as its format requires (bad header, offsets out of range).
        public static let malformed = Code(.malformed)
        /// A tensor the model needs is not in the weights file.
        public static let missingTensor = Code(.missingTensor)
        /// A tensor's shape differs from what `config.json` implies.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// A tensor's element type is not the one the encoder reads (F32).
        public static let unsupportedType = Code(.unsupportedType)
        /// `config.json` describes a model this encoder does not run.
        public static let unsupportedModel = Code(.unsupportedModel)

        public var description: String {
            switch wrapped {
            case .unreadable: "unreadable model file"
            case .malformed: "malformed model file"
            case .missingTensor: "missing tensor"
            case .shapeMismatch: "tensor shape mismatch"
            case .unsupportedType: "unsupported tensor type"
            case .unsupportedModel: "unsupported model configuration"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// The model file, as the caller named it.
    public var file: String
    /// The place in the file: a tensor name, a JSON key, `line 12`.
    public var location: String?
    /// What was expected there.
    public var expected: String?
    /// The underlying error, when there is one (not included in ``description``).
    public var underlying: (any Error)?

    /// Creates an embedding error.
    public init(
        _ code: Code,
        file: String,
        location: String? = nil,
        expected: String? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.file = file
        self.location = location
        self.expected = expected
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code) in \(file)"
        if let location { text += " at \(location)" }
        if let expected { text += ": expected \(expected)" }
        return text
    }
}
