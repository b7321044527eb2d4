/// An error from a space's store: it says what failed and where, never the stored content.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in kind.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case embedderMismatch
            case invalidSpaceID
            case corrupt
            case database
            case keyUnavailable
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The space's vectors were made by another embedder than the one asking.
        public static let embedderMismatch = Code(.embedderMismatch)
        /// A space id that is empty, too long, or has characters other than letters, digits, `.`, `_`, `-`.
        public static let invalidSpaceID = Code(.invalidSpaceID)
        /// Stored data that cannot be decoded (a vector of the wrong length, a bad payload).
        public static let corrupt = Code(.corrupt)
        /// SQLite reported an error.
        public static let database = Code(.database)
        /// The space's data key cannot be unwrapped: the key-encryption key is missing or wrong, or
        /// the space was stored with another encryption setting. Nothing was changed.
        public static let keyUnavailable = Code(.keyUnavailable)

        public var description: String {
            switch wrapped {
            case .embedderMismatch: "embedder mismatch"
            case .invalidSpaceID: "invalid space id"
            case .corrupt: "corrupt data"
            case .database: "database error"
            case .keyUnavailable: "key unavailable"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// Where and why, without stored content.
    public var reason: String
    /// The underlying error, not included in ``description`` (SQLite errors may quote SQL arguments).
    public var underlying: (any Error)?

    /// Creates a store error.
    public init(_ code: Code, _ reason: String, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String { "\(code): \(reason)" }
}
