public import Foundation

/// A labelled draft answer from `eval/answer-checks/*.jsonl`.
public struct AnswerCase: Hashable, Sendable, Codable {
    /// A stable id.
    public var id: String
    /// The triage level of the conversation.
    public var level: TriageLevel
    /// The cited evidence.
    public var evidence: [EvidenceContext.Evidence]
    /// The draft answer.
    public var answer: String
    /// The checks that should flag it (empty for a clean answer).
    public var flags: [AnswerCheck]
    /// `train` or `test` (held out).
    public var split: String

    /// The context to check against.
    public var context: EvidenceContext { EvidenceContext(evidence: evidence, level: level) }
}

/// Precision and recall of each answer check.
public struct AnswerReport: Hashable, Sendable, Codable {
    /// One check's scores.
    public struct CheckScore: Hashable, Sendable, Codable {
        /// Flagged and labelled.
        public var truePositives: Int
        /// Flagged, not labelled.
        public var falsePositives: Int
        /// Labelled, not flagged.
        public var falseNegatives: Int
        /// TP / (TP + FP) (1 when nothing was flagged).
        public var precision: Double {
            truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
        }
        /// TP / (TP + FN) (1 when nothing was labelled).
        public var recall: Double {
            truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives)
        }
    }

    /// One case with a wrong set of flags.
    public struct Miss: Hashable, Sendable, Codable {
        /// The case id.
        public var id: String
        /// The labelled flags.
        public var expected: [AnswerCheck]
        /// The flags raised.
        public var flagged: [AnswerCheck]
    }

    /// Which split.
    public var split: String
    /// The number of answers.
    public var count: Int
    /// Scores by check.
    public var checks: [String: CheckScore]
    /// The share of answers whose set of flags is exactly right.
    public var exactMatch: Double
    /// The answers got wrong.
    public var misses: [Miss]

    /// Whether every check with labelled cases reaches precision and recall ≥ 0.90.
    public var meetsTargets: Bool {
        checks.values.allSatisfy { $0.precision >= 0.90 && $0.recall >= 0.90 }
    }
}

/// Loads labelled draft answers and scores the answer checks.
public enum AnswerEvaluation {
    /// Reads every `.jsonl` file in `directory` (or the one file).
    /// - Throws: ``GuardrailsError`` naming the file and line of a malformed case.
    public static func loadCases(from url: URL) throws -> [AnswerCase] {
        try JSONLines.load(AnswerCase.self, from: url)
    }

    /// Checks every answer and scores each check.
    public static func run(_ cases: [AnswerCase], split: String, guardrails: Guardrails) -> AnswerReport {
        let selected = cases.filter { split == "all" || $0.split == split }
        var scores: [AnswerCheck: AnswerReport.CheckScore] = [:]
        for check in AnswerCheck.allCases {
            scores[check] = AnswerReport.CheckScore(truePositives: 0, falsePositives: 0, falseNegatives: 0)
        }
        var exact = 0
        var misses: [AnswerReport.Miss] = []
        for item in selected {
            let flagged = guardrails.check(answer: item.answer, context: item.context).flaggedChecks
            let expected = Set(item.flags)
            for check in AnswerCheck.allCases {
                switch (flagged.contains(check), expected.contains(check)) {
                case (true, true): scores[check]?.truePositives += 1
                case (true, false): scores[check]?.falsePositives += 1
                case (false, true): scores[check]?.falseNegatives += 1
                case (false, false): break
                }
            }
            if flagged == expected {
                exact += 1
            } else {
                misses.append(
                    AnswerReport.Miss(
                        id: item.id,
                        expected: expected.sorted { $0.rawValue < $1.rawValue },
                        flagged: flagged.sorted { $0.rawValue < $1.rawValue }
                    )
                )
            }
        }
        var byName: [String: AnswerReport.CheckScore] = [:]
        for (check, score) in scores { byName[check.rawValue] = score }
        return AnswerReport(
            split: split,
            count: selected.count,
            checks: byName,
            exactMatch: Double(exact) / Double(max(selected.count, 1)),
            misses: misses
        )
    }
}
