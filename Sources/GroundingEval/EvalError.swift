/// An error from an evaluation: it says where (file, line, field) and why, never the health data.
public struct EvalError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in kind.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unreadableInput
            case invalidInput
            case missingResponse
            case grader
            case report
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A file or folder that cannot be read.
        public static let unreadableInput = Code(.unreadableInput)
        /// A file whose content is not in the expected format.
        public static let invalidInput = Code(.invalidInput)
        /// An example without a response to grade.
        public static let missingResponse = Code(.missingResponse)
        /// A grader that cannot be set up (no base URL, no model).
        public static let grader = Code(.grader)
        /// A report that cannot be written or read.
        public static let report = Code(.report)

        public var description: String {
            switch wrapped {
            case .unreadableInput: "unreadable input"
            case .invalidInput: "invalid input"
            case .missingResponse: "missing response"
            case .grader: "grader error"
            case .report: "report error"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// Where and why, without health data.
    public var reason: String
    /// The underlying error, not included in ``description`` (a decoding error may quote values).
    public var underlying: (any Error)?

    /// Creates an evaluation error.
    public init(_ code: Code, _ reason: String, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String { "\(code): \(reason)" }
}
