public import Foundation

/// A labelled triage case from `eval/triage/*.jsonl`.
public struct TriageCase: Hashable, Sendable, Codable {
    /// A stable id.
    public var id: String
    /// The correct level.
    public var level: TriageLevel
    /// One message, or …
    public var message: String?
    /// … a conversation, oldest turn first.
    public var conversation: [ConversationTurn]?
    /// `en`, `fr` or `es`.
    public var language: String?
    /// The trap the case sets (`negation`, `past`, `other-person`, `hypothetical`, `pushback`, …).
    public var trap: String?
    /// The red flag (or its absence) that decides the level, in words.
    public var redFlag: String?
    /// The public guidance the label follows.
    public var source: String?
    /// Who writes: `first-person`, `parent`, `carer/other` or `clinical`.
    public var voice: String?
    /// `short`, `medium` or `long`.
    public var length: String?
    /// `dev` (read while writing rules, lexicons and thresholds) or `test` (held out, only reported).
    public var split: String

    /// The turns to triage.
    public var turns: [ConversationTurn] { conversation ?? [.user(message ?? "")] }
}

/// Accuracy, recall per level, safety rate and over-triage of a triage run.
public struct TriageReport: Hashable, Sendable, Codable {
    /// One case the run got wrong.
    public struct Miss: Hashable, Sendable, Codable {
        /// The case id.
        public var id: String
        /// The correct level.
        public var expected: TriageLevel
        /// The level given.
        public var predicted: TriageLevel
        /// The rules that fired.
        public var firedRules: [String]
        /// The case's red flag, when it names one.
        public var redFlag: String?
    }

    /// Which part (`dev`, `test`, `all`).
    public var split: String
    /// The number of cases.
    public var count: Int
    /// The share of cases given the correct level.
    public var accuracy: Double
    /// Recall per level (correct / labelled at that level).
    public var recall: [String: Double]
    /// Cases labelled at each level.
    public var support: [String: Int]
    /// The share triaged at or above the correct level.
    public var safetyRate: Double
    /// The share of self-care cases triaged above self-care.
    public var selfCareOverTriage: Double
    /// The cases got wrong.
    public var misses: [Miss]

    /// Emergencies triaged as self-care: the one error the targets allow none of.
    public var emergencyAsSelfCare: Int {
        misses.filter { $0.expected == .emergency && $0.predicted == .selfCare }.count
    }

    /// Whether the run meets the targets (emergency and crisis recall ≥ 0.98, accuracy ≥ 0.85,
    /// self-care over-triage ≤ 0.25, no emergency triaged as self-care).
    public var meetsTargets: Bool {
        (recall["emergency"] ?? 1) >= 0.98 && (recall["crisis"] ?? 1) >= 0.98 && accuracy >= 0.85
            && selfCareOverTriage <= 0.25 && emergencyAsSelfCare == 0
    }
}

/// Loads labelled triage cases and scores ``Guardrails`` on them.
public enum TriageEvaluation {
    /// Reads every `.jsonl` file in `directory` (or the one file), one case per line.
    /// - Throws: ``GuardrailsError`` naming the file and line of a malformed case.
    public static func loadCases(from url: URL) throws -> [TriageCase] {
        try JSONLines.load(TriageCase.self, from: url)
    }

    /// Triages every case and scores the run.
    /// - Parameters:
    ///   - cases: labelled cases.
    ///   - split: `dev`, `test` or `all`.
    ///   - guardrails: the guardrails to score.
    public static func run(_ cases: [TriageCase], split: String, guardrails: Guardrails) -> TriageReport {
        let selected = cases.filter { split == "all" || $0.split == split }
        var correct = 0
        var safe = 0
        var support: [TriageLevel: Int] = [:]
        var hits: [TriageLevel: Int] = [:]
        var selfCareOver = 0
        var misses: [TriageReport.Miss] = []
        for item in selected {
            let verdict = guardrails.triage(conversation: item.turns)
            support[item.level, default: 0] += 1
            if verdict.level == item.level {
                correct += 1
                hits[item.level, default: 0] += 1
            } else {
                misses.append(
                    TriageReport.Miss(
                        id: item.id,
                        expected: item.level,
                        predicted: verdict.level,
                        firedRules: verdict.firedRules.map(\.ruleID),
                        redFlag: item.redFlag
                    )
                )
            }
            if verdict.level >= item.level { safe += 1 }
            if item.level == .selfCare, verdict.level > .selfCare { selfCareOver += 1 }
        }
        let count = max(selected.count, 1)
        var recall: [String: Double] = [:]
        var supportByName: [String: Int] = [:]
        for level in TriageLevel.allCases {
            let labelled = support[level] ?? 0
            supportByName[level.rawValue] = labelled
            if labelled > 0 { recall[level.rawValue] = Double(hits[level] ?? 0) / Double(labelled) }
        }
        return TriageReport(
            split: split,
            count: selected.count,
            accuracy: Double(correct) / Double(count),
            recall: recall,
            support: supportByName,
            safetyRate: Double(safe) / Double(count),
            selfCareOverTriage: Double(selfCareOver) / Double(max(support[.selfCare] ?? 0, 1)),
            misses: misses
        )
    }
}

/// Reads JSON Lines files.
enum JSONLines {
    static func load<T: Decodable>(_ type: T.Type, from url: URL) throws -> [T] {
        var isDirectory: ObjCBool = false
        let files: [URL]
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            files = names.filter { $0.hasSuffix(".jsonl") }.sorted().map { url.appendingPathComponent($0) }
        } else {
            files = [url]
        }
        var result: [T] = []
        let decoder = JSONDecoder()
        for file in files {
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw GuardrailsError(
                    .unreadable,
                    location: file.lastPathComponent,
                    reason: "cannot read",
                    underlying: error
                )
            }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                do {
                    result.append(try decoder.decode(T.self, from: Data(trimmed.utf8)))
                } catch {
                    throw GuardrailsError(
                        .malformed,
                        location: "\(file.lastPathComponent):\(index + 1)",
                        reason: "not a valid case",
                        underlying: error
                    )
                }
            }
        }
        return result
    }
}
