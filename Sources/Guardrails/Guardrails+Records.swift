import Foundation
public import HealthRecords

/// A person's records as the record rules see them: for each record rule, the records it could fire
/// on by everything but their age (kind, assertion, status, codes or title, value), in the records'
/// order. Preparing reads every record once; a backend keeps the result while the records do not
/// change and triages every message against it (``Guardrails/triage(conversation:prepared:now:knownEmbeddings:)``).
public struct PreparedRecords: Sendable {
    /// The rules these were prepared for (id and version, in the rule book's order).
    let ruleKeys: [String]
    /// By rule index: the date and id of each record the rule could fire on.
    let candidates: [[(date: Date?, id: RecordID)]]
    /// The records themselves, to prepare again for guardrails with other rules.
    let records: [ClinicalRecord]

    /// How many records were read.
    public var recordCount: Int { records.count }
}

extension Guardrails {
    /// Reads the records once for the record rules; see ``PreparedRecords``.
    public func prepare(records: [ClinicalRecord]) -> PreparedRecords {
        var candidates: [[(date: Date?, id: RecordID)]] = []
        for compiledRule in compiled {
            let rule = compiledRule.rule
            guard let criterion = rule.record, rule.kind != .messageTriage else {
                candidates.append([])
                continue
            }
            // Each test reads one field of the record in place: a space can hold tens of thousands of
            // records, and a copy of a whole record (392 bytes, every reference field retained) is
            // what the optimizer makes of a record passed by value.
            let needsValue = rule.kind == .recordTriage
            // A short array: comparing two cases is cheaper than hashing a case (which hashes its raw string).
            let kinds = criterion.kinds.compactMap(RecordKind.init(rawValue:))
            let hits = records.withUnsafeBufferPointer { buffer in
                buffer.indices.filter { index in
                    matches(
                        buffer,
                        at: index,
                        criterion,
                        kinds: kinds,
                        titles: compiledRule.titles,
                        needsValue: needsValue
                    )
                }
            }
            candidates.append(hits.map { (records[$0].date, records[$0].id) })
        }
        return PreparedRecords(ruleKeys: ruleKeys, candidates: candidates, records: records)
    }

    /// Record rules that fire: critical recent values always; cautions when the message touched them.
    func recordFirings(prepared: PreparedRecords, now: Date, touchedTopics: Set<Int>) -> [FiredRule] {
        let prepared = prepared.ruleKeys == ruleKeys ? prepared : prepare(records: prepared.records)
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
            let hit = prepared.candidates[ruleIndex].first { candidate in
                guard let maxAge = criterion.maxAgeDays else { return true }
                guard let date = candidate.date else { return false }
                return now.timeIntervalSince(date) <= Double(maxAge) * 86_400
            }
            if let hit { result.append(firing(compiledRule, source: .record, recordID: hit.id)) }
        }
        return result
    }

    private func matches(
        _ records: UnsafeBufferPointer<ClinicalRecord>,
        at index: Int,
        _ criterion: RecordCriterion,
        kinds: [RecordKind],
        titles: [CompiledPattern],
        needsValue: Bool
    ) -> Bool {
        // Cheapest tests first: kind, assertion and a date when an age limit needs one, then status,
        // then codes, and the title patterns last.
        guard kinds.contains(records[index].kind), records[index].assertion == .present else { return false }
        if criterion.maxAgeDays != nil, records[index].date == nil { return false }
        if let status = records[index].status?.lowercased(), Self.closedStatuses.contains(status) { return false }
        let codeMatch = records[index].codes.contains { code in criterion.codes?.contains(code.code) ?? false }
        if !codeMatch {
            let names = ([records[index].title] + records[index].codes.compactMap(\.display)).joined(separator: " | ")
            let range = NSRange(location: 0, length: names.utf16.count)
            guard titles.contains(where: { $0.matches(names, in: range) }) else { return false }
        }
        guard needsValue else { return true }
        guard let quantity = records[index].value?.quantity else { return false }
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
