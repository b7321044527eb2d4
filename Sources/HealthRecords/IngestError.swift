/// An error while reading a source file: it says where and why, never what the file contains.
///
/// ``description`` names the file and the place (a JSON path, a line, an XML element path) and what
/// was expected. It never echoes a value from the file, so it is safe to log.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in kind.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unreadable
            case malformed
            case unexpectedStructure
            case unsupportedFormat
            case unsupportedEncoding
            case tooLarge
            case missingField
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file could not be read (missing, permissions, I/O).
        public static let unreadable = Code(.unreadable)
        /// The file is not well-formed JSON, XML, CSV or ZIP.
        public static let malformed = Code(.malformed)
        /// Well-formed, but not shaped as the format requires (a Bundle without `entry` array, …).
        public static let unexpectedStructure = Code(.unexpectedStructure)
        /// No parser recognizes the file.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The text encoding could not be decoded.
        public static let unsupportedEncoding = Code(.unsupportedEncoding)
        /// The file is larger than the parser accepts.
        public static let tooLarge = Code(.tooLarge)
        /// A required field or column is missing.
        public static let missingField = Code(.missingField)

        public var description: String {
            switch wrapped {
            case .unreadable: "unreadable file"
            case .malformed: "malformed content"
            case .unexpectedStructure: "unexpected structure"
            case .unsupportedFormat: "unsupported format"
            case .unsupportedEncoding: "unsupported text encoding"
            case .tooLarge: "file too large"
            case .missingField: "missing field"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// The file, as the caller named it.
    public var file: String
    /// The place in the file: `$.entry[3].resource.code`, `line 12`, `/ClinicalDocument/component`.
    public var location: String?
    /// What was expected there, in words that contain no data from the file.
    public var expected: String?
    /// The underlying error, when there is one. Its own description is not included in ``description``,
    /// because some system errors quote the input.
    public var underlying: (any Error)?

    /// Creates an ingest error.
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
