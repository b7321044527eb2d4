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
            // By index, so that no record is copied (a copy retains every field it holds).
            let needsValue = rule.kind == .recordTriage
            let hit = records.indices.first { index in
                matches(records[index], criterion, titles: compiledRule.titles, now: now, needsValue: needsValue)
            }
            if let hit { result.append(firing(compiledRule, source: .record, recordID: records[hit].id)) }
        }
        return result
    }

    private func matches(
        _ record: borrowing ClinicalRecord,
        _ criterion: RecordCriterion,
        titles: [CompiledPattern],
        now: Date,
        needsValue: Bool
    ) -> Bool {
        // Cheapest tests first (a space can hold tens of thousands of records, scanned per message):
        // kind, assertion and age, then status, then codes, and the title patterns last.
        guard criterion.kinds.contains(record.kind.rawValue), record.assertion == .present else { return false }
        if let maxAge = criterion.maxAgeDays {
            guard let date = record.date, now.timeIntervalSince(date) <= Double(maxAge) * 86_400 else { return false }
        }
        if let status = record.status?.lowercased(), Self.closedStatuses.contains(status) { return false }
        let codeMatch = record.codes.contains { code in criterion.codes?.contains(code.code) ?? false }
        if !codeMatch {
            let names = ([record.title] + record.codes.compactMap(\.display)).joined(separator: " | ")
            let range = NSRange(location: 0, length: names.utf16.count)
            guard titles.contains(where: { $0.matches(names, in: range) }) else { return false }
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

    /// Statuses of records that no longer hold.
    static let closedStatuses: Set<String> = [
        "inactive", "resolved", "stopped", "completed", "entered-in-error", "cancelled", "remission",
    ]

    static func normalizedUnit(_ unit: String) -> String {
        unit.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "meq/l", with: "mmol/l")
    }
}
