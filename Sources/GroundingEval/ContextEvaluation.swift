public import Foundation
public import HealthGround
import HealthRecords

/// Scores ``HealthSpace/context(for:budget:asOf:now:)`` on questions about a person's records:
/// whether the top evidence holds the records that answer each question, and whether the
/// sufficiency signal is right (answerable questions sufficient, unanswerable ones not).
public struct ContextEvaluation: Sendable {
    /// One question with its answer records.
    public struct Question: Sendable, Codable, Hashable {
        /// The query id.
        public var id: String
        /// The question.
        public var text: String
        /// The question's type (`latest`, `trend`, `medication`, `unanswerable`, …).
        public var type: String
        /// `any`: one relevant record answers; `all`: every one is needed.
        public var needs: String
        /// The record ids that answer it (empty when the records do not).
        public var relevant: [String]
    }

    /// One question's outcome.
    public struct Outcome: Sendable, Codable, Hashable {
        /// The question.
        public var question: Question
        /// Whether the top `k` evidence items hold the answer (per `needs`).
        public var answeredAtK: Bool
        /// Relevant records found in the top `k` ÷ relevant records.
        public var recallAtK: Double
        /// The sufficiency verdict.
        public var sufficient: Bool
        /// Whether the verdict matches the question being answerable.
        public var sufficiencyCorrect: Bool
        /// The record ids the top `k` evidence items cover.
        public var retrieved: [String]
    }

    /// The figures over all questions.
    public struct Summary: Sendable, Codable {
        /// The `k` of the `@k` figures.
        public var k: Int
        /// Questions, and of them answerable.
        public var questions: Int
        /// Answerable questions.
        public var answerable: Int
        /// Share of answerable questions whose answer is in the top `k`.
        public var answeredAtK: Double
        /// Mean recall@k over answerable questions.
        public var recallAtK: Double
        /// Share of all questions whose sufficiency verdict is right.
        public var sufficiencyAccuracy: Double
        /// Share of unanswerable questions judged insufficient.
        public var unanswerableDetected: Double
        /// Answered@k by question type.
        public var answeredByType: [String: Double]
        /// Every question's outcome.
        public var outcomes: [Outcome]
    }

    /// The questions.
    public var questions: [Question]

    /// Reads a BEIR-layout folder: `queries.jsonl` (with optional `type`, `needs`) and `qrels/test.tsv`.
    /// Unlike a retrieval benchmark, questions without judgments are kept: they are the unanswerable ones.
    /// - Throws: ``EvalError`` naming the file and line that cannot be read.
    public init(folder: URL) throws {
        struct Line: Decodable {
            var id: String
            var text: String
            var type: String?
            var needs: String?

            enum CodingKeys: String, CodingKey {
                case id = "_id"
                case text, type, needs
            }
        }
        let judgments = try BEIRDataset.parseQrels(
            InputFiles.contents(of: folder.appendingPathComponent("qrels/test.tsv")),
            file: "qrels/test.tsv"
        )
        let lines = try JSONLines.decode(
            Line.self,
            from: InputFiles.contents(of: folder.appendingPathComponent("queries.jsonl")),
            file: "queries.jsonl"
        )
        questions = lines.map { line in
            Question(
                id: line.id,
                text: line.text,
                type: line.type ?? "other",
                needs: line.needs ?? "any",
                relevant: (judgments[line.id] ?? [:]).filter { $0.value > 0 }.keys.sorted()
            )
        }
    }

    /// Runs every question against a space.
    /// - Parameters:
    ///   - space: the space holding the person's records.
    ///   - k: how many evidence items count.
    ///   - budget: the context's token budget.
    ///   - now: the reference date for recency.
    public func run(on space: HealthSpace, k: Int = 5, budget: Int = 1_500, now: Date? = nil) async throws -> Summary {
        let records = try await space.records()
        var dayOfRecord: [String: String] = [:]
        for record in records {
            if let date = record.date { dayOfRecord[record.id.rawValue] = FHIRDate.day(date) }
        }
        var outcomes: [Outcome] = []
        for question in questions {
            let context = try await space.context(for: question.text, budget: budget, now: now)
            var covered: [String] = []
            for item in context.evidence.prefix(k) {
                covered.append(item.recordID.rawValue)
                // A series shows some of its values (first, last, extremes, the most recent): it covers
                // the records whose day appears in its text.
                for source in item.sourceRecordIDs where item.role == .series {
                    if let day = dayOfRecord[source.rawValue], item.text.contains(day) {
                        covered.append(source.rawValue)
                    }
                }
            }
            let coveredSet = Set(covered)
            let found = question.relevant.filter { coveredSet.contains($0) }
            let answerable = !question.relevant.isEmpty
            let answered = question.needs == "all" ? found.count == question.relevant.count : !found.isEmpty
            outcomes.append(
                Outcome(
                    question: question,
                    answeredAtK: answerable && answered,
                    recallAtK: answerable ? Double(found.count) / Double(question.relevant.count) : 0,
                    sufficient: context.sufficiency.isSufficient,
                    sufficiencyCorrect: context.sufficiency.isSufficient == answerable,
                    retrieved: covered
                )
            )
        }
        let answerable = outcomes.filter { !$0.question.relevant.isEmpty }
        let unanswerable = outcomes.filter { $0.question.relevant.isEmpty }
        func share(_ items: [Outcome], _ test: (Outcome) -> Bool) -> Double {
            items.isEmpty ? 0 : Double(items.filter(test).count) / Double(items.count)
        }
        var byType: [String: Double] = [:]
        for type in Set(answerable.map(\.question.type)) {
            byType[type] = share(answerable.filter { $0.question.type == type }) { $0.answeredAtK }
        }
        return Summary(
            k: k,
            questions: outcomes.count,
            answerable: answerable.count,
            answeredAtK: share(answerable) { $0.answeredAtK },
            recallAtK: answerable.isEmpty ? 0 : answerable.map(\.recallAtK).reduce(0, +) / Double(answerable.count),
            sufficiencyAccuracy: share(outcomes) { $0.sufficiencyCorrect },
            unanswerableDetected: share(unanswerable) { !$0.sufficient },
            answeredByType: byType,
            outcomes: outcomes
        )
    }
}
