import Foundation
import Guardrails
import HealthRecords
import TestSupport
import Testing

/// Record-aware triage on the public Synthea bundles in `../shared/corpora/synthea-bundles`.
@Suite(.enabled(if: SharedData.isAvailable, "needs ../shared/corpora"))
struct RecordTriageCorpusTests {
    static var bundles: [URL] {
        SharedData.files(under: SharedData.corpus("synthea-bundles"), extensions: ["json"])
    }

    @Test func criticalPotassiumFiresExactlyWhenARecentResultIsCritical() throws {
        let guardrails = try Guardrails(rules: try RuleBook.bundled())
        let bundles = Self.bundles
        try #require(!bundles.isEmpty)
        for url in bundles {
            let records = try FHIRParser().parse(contentsOf: url).records
            // "Now" is the day after the person's latest dated record, so that "recent" has meaning.
            guard let latest = records.compactMap(\.date).max() else { continue }
            let now = latest.addingTimeInterval(86_400)
            let verdict = guardrails.triage(message: "what is a healthy breakfast?", records: records, now: now)

            // Independent oracle: a serum/blood potassium in mmol/L ≥ 6.0 within 14 days.
            let critical = records.contains { record in
                record.kind == .observation && record.assertion == .present
                    && record.codes.contains { ["2823-3", "6298-4"].contains($0.code) }
                    && record.value?.quantity.map { ($0.unit ?? "").lowercased() == "mmol/l" && $0.value >= 6.0 }
                        == true
                    && record.date.map { now.timeIntervalSince($0) <= 14 * 86_400 } == true
            }
            let fired = verdict.firedRules.contains { $0.ruleID == "critical-potassium-high" }
            #expect(fired == critical, "\(url.lastPathComponent)")

            // A benign message fires no message rule, so only record rules can raise the level.
            #expect(verdict.firedRules.allSatisfy { $0.source == .record })
            #expect(verdict.level == (verdict.firedRules.map(\.level).max() ?? .selfCare))
            for firing in verdict.firedRules {
                let id = try #require(firing.recordID)
                #expect(records.contains { $0.id == id })
            }
        }
    }
}
