import Foundation
import HealthRecords

extension Guardrails {
    /// Record rules that fire: critical recent values always; cautions when the message touched them.
    func recordFirings(records: [ClinicalRecord], now: Date, touchedTopics: Set<Int>) -> [FiredRule] {
        var result: [FiredRule] = []
        for (ruleIndex, compiledRule) in compiled.enumerated() {
            let rule = compiledRule.rule
            guard let criterion = rule.record else { continue }
            switch rule.kind {
            case .messageTriage:
                continue
            case .recordCaution:
                guard touchedTopics.contains(ruleIndex) else { continue }
            case .recordTriage:
                break
            }
            let hit = records.first { record in
                matches(
                    record,
                    criterion,
                    titles: compiledRule.titles,
                    now: now,
                    needsValue: rule.kind == .recordTriage
                )
            }
            if let hit { result.append(firing(compiledRule, source: .record, recordID: hit.id)) }
        }
        return result
    }

    private func matches(
        _ record: ClinicalRecord,
        _ criterion: RecordCriterion,
        titles: [CompiledPattern],
        now: Date,
        needsValue: Bool
    ) -> Bool {
        guard criterion.kinds.contains(record.kind.rawValue), record.assertion == .present else { return false }
        if let status = record.status?.lowercased(),
            ["inactive", "resolved", "stopped", "completed", "entered-in-error", "cancelled", "remission"]
                .contains(status)
        {
            return false
        }
        let codeMatch = record.codes.contains { code in criterion.codes?.contains(code.code) ?? false }
        let names = ([record.title] + record.codes.compactMap(\.display)).joined(separator: " | ")
        let titleMatch = titles.contains { $0.matches(names, in: NSRange(location: 0, length: names.utf16.count)) }
        guard codeMatch || titleMatch else { return false }
        if let maxAge = criterion.maxAgeDays {
            guard let date = record.date, now.timeIntervalSince(date) <= Double(maxAge) * 86_400 else { return false }
        }
        guard needsValue else { return true }
        guard let quantity = record.value?.quantity else { return false }
        if let unit = criterion.unit {
            guard let recordUnit = quantity.unit, Self.normalizedUnit(recordUnit) == Self.normalizedUnit(unit) else {
                return false
            }
        }
        if let limit = criterion.atOrAbove, quantity.value >= limit { return true }
        if let limit = criterion.below, quantity.value < limit { return true }
        return false
    }

    static func normalizedUnit(_ unit: String) -> String {
        unit.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "meq/l", with: "mmol/l")
    }
}
