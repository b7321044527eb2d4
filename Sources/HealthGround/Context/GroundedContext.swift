public import Foundation
public import Guardrails
public import HealthRecords

/// What an assistant's model should see to answer a question about a person's own records: the
/// patient snapshot, numbered and cited evidence, and whether the records hold an answer at all.
public struct GroundedContext: Sendable, Codable {
    /// One numbered piece of evidence.
    public struct Evidence: Sendable, Codable, Hashable {
        /// The number an answer cites as `[n]`.
        public var number: Int
        /// The chunk's text.
        public var text: String
        /// What it is (fact, series, narrative).
        public var role: ChunkRole
        /// The record kind.
        public var kind: RecordKind
        /// The clinical date.
        public var date: Date?
        /// The record it cites (for a series, the series id).
        public var recordID: RecordID
        /// The records a series or snapshot summarizes.
        public var sourceRecordIDs: [RecordID]
        /// `file · Resource/id · date`.
        public var citation: String
        /// The ranking score after time weighting.
        public var score: Double
        /// Whether a newer record replaces it.
        public var isSuperseded: Bool
    }

    /// Whether the records contain something that answers the question.
    public struct Sufficiency: Sendable, Codable, Hashable {
        /// The verdict.
        public var isSufficient: Bool
        /// A score in [0, 1]; above the calibrated threshold means sufficient.
        public var confidence: Double
        /// Content words of the question found nowhere in the person's records, neither as written nor
        /// as a close match (by meaning) of the best candidate chunks.
        public var missingTerms: [String]
        /// Words not found as written but close in meaning to a candidate chunk (`statin` → atorvastatin).
        public var matchedByMeaning: [String]
        /// The best dense similarity between the question and a chunk.
        public var topSimilarity: Double
        /// A sentence for the assistant: what to say when the records do not answer.
        public var guidance: String
    }

    /// The question.
    public var question: String
    /// The date the context describes ("as of"); nil means now.
    public var asOf: Date?
    /// How the question was read.
    public var analysis: QuestionAnalysis
    /// The patient snapshot: IPS-style sections whose lines cite their records (`[S1]`, `[S2]`, …).
    public var snapshot: ContextSnapshot
    /// The evidence, numbered from 1, best first.
    public var evidence: [Evidence]
    /// Whether the records answer the question.
    public var sufficiency: Sufficiency
    /// The guardrails' triage of the conversation with the person's records (nil when guardrails are off).
    public var triage: TriageVerdict?
    /// The token budget the context was filled to.
    public var budget: Int
    /// Tokens used by the snapshot and the evidence.
    public var tokensUsed: Int

    /// The evidence and triage level in the form the answer checks take
    /// (``Guardrails/Guardrails/check(answer:context:)``).
    public var answerCheckContext: EvidenceContext {
        EvidenceContext(
            evidence: evidence.map { EvidenceContext.Evidence(number: $0.number, text: $0.text) },
            snapshot: snapshot.lines.compactMap { line in
                line.label.map { EvidenceContext.SnapshotLine(label: $0, text: line.text) }
            },
            level: triage?.level ?? .selfCare
        )
    }

    /// The context as Markdown for a model's prompt: instructions, snapshot, numbered evidence.
    public var renderedPrompt: String {
        var lines: [String] = []
        lines.append("## The person's own records")
        lines.append(
            "Answer from these records only. Cite evidence as [n] and snapshot lines as [Sn]. "
                + "Do not diagnose or change medication; suggest a clinician for decisions."
        )
        if let triage, triage.level.requiresEscalation {
            lines.append("**Safety (\(triage.level)): \(triage.escalation ?? "direct the person to care now.")**")
        }
        if let notice = triage?.reviewNotice { lines.append("_\(notice)_") }
        if !sufficiency.isSufficient { lines.append("**\(sufficiency.guidance)**") }
        lines.append("")
        lines.append("### Snapshot")
        lines.append(snapshot.text)
        lines.append("")
        lines.append("### Evidence")
        for item in evidence {
            let replaced = item.isSuperseded ? " (replaced by a newer record)" : ""
            lines.append("[\(item.number)] \(item.citation)\(replaced)")
            lines.append(item.text.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        }
        if evidence.isEmpty { lines.append("(no matching records)") }
        return lines.joined(separator: "\n")
    }
}
