public import Foundation
public import HealthGround

/// Scores answers written from a ``GroundedContext``: the share of their citations that point at
/// evidence, and the share of their personal-data claims (numbers, dates) that the cited evidence
/// supports (``CitationCheck``).
public struct GroundingEvaluation: Sendable {
    /// One answer with the context it was written from.
    public struct Item: Sendable, Codable {
        /// An id for the report.
        public var id: String
        /// The context (as `healthground context --json` prints it).
        public var context: GroundedContext
        /// The answer.
        public var answer: String

        /// Creates an item.
        public init(id: String, context: GroundedContext, answer: String) {
            self.id = id
            self.context = context
            self.answer = answer
        }
    }

    /// One answer's outcome.
    public struct Outcome: Sendable, Codable, Hashable {
        /// The item's id.
        public var id: String
        /// Citations in the answer.
        public var citations: Int
        /// Citations that point at no evidence item.
        public var invalidCitations: Int
        /// Numbers and dates in the answer.
        public var claims: Int
        /// Numbers and dates that no cited evidence contains.
        public var unsupportedClaims: Int
    }

    /// The figures over all answers.
    public struct Summary: Sendable, Codable {
        /// Answers scored.
        public var answers: Int
        /// Valid citations ÷ citations (1 when there are none).
        public var validCitationShare: Double
        /// Supported claims ÷ claims (1 when there are none).
        public var supportedClaimShare: Double
        /// Answers with no invalid citation and no unsupported claim.
        public var cleanAnswerShare: Double
        /// Per answer.
        public var outcomes: [Outcome]
    }

    /// The items.
    public var items: [Item]

    /// Creates an evaluation over items.
    public init(items: [Item]) { self.items = items }

    /// Reads JSONL: one `{"id", "context", "answer"}` object per line.
    /// - Throws: an error naming the line that cannot be read (never its content).
    public init(jsonl url: URL) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var items: [Item] = []
        let text = try String(contentsOf: url, encoding: .utf8)
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            do {
                items.append(try decoder.decode(Item.self, from: Data(line.utf8)))
            } catch {
                throw CocoaError(
                    .fileReadCorruptFile,
                    userInfo: [NSDebugDescriptionErrorKey: "\(url.lastPathComponent) line \(index + 1) is not an item"]
                )
            }
        }
        self.items = items
    }

    /// Scores every item.
    public func run() -> Summary {
        let outcomes = items.map { item -> Outcome in
            let report = CitationCheck.verify(answer: item.answer, context: item.context)
            let claims = CitationCheck.claimCount(in: item.answer)
            return Outcome(
                id: item.id,
                citations: CitationCheck.citationCount(in: item.answer),
                invalidCitations: report.invalidCitations.count,
                claims: claims,
                unsupportedClaims: report.unsupportedNumbers.count + report.unsupportedDates.count
            )
        }
        let citations = outcomes.map(\.citations).reduce(0, +)
        let invalid = outcomes.map(\.invalidCitations).reduce(0, +)
        let claims = outcomes.map(\.claims).reduce(0, +)
        let unsupported = outcomes.map(\.unsupportedClaims).reduce(0, +)
        return Summary(
            answers: outcomes.count,
            validCitationShare: citations == 0 ? 1 : Double(citations - invalid) / Double(citations),
            supportedClaimShare: claims == 0 ? 1 : Double(max(0, claims - unsupported)) / Double(claims),
            cleanAnswerShare: outcomes.isEmpty
                ? 0
                : Double(outcomes.filter { $0.invalidCitations == 0 && $0.unsupportedClaims == 0 }.count)
                    / Double(outcomes.count),
            outcomes: outcomes
        )
    }
}
