import Foundation

/// Resolves what needs the whole input: references between resources, and amended or corrected
/// results that supersede earlier versions.
///
/// - `DiagnosticReport.result` references become components of the report (each result's title, value,
///   range and flag), so that a report reads as its panel.
/// - A `reasonReference` without a display becomes the referenced resource's title.
/// - Records that are versions of one result — the same resource id, or a shared business `identifier`
///   with the same code — are reduced to one: an `amended`/`corrected` version (the latest one, by `meta.lastUpdated` or
///   `issued`) supersedes the others, which are dropped and listed in its ``ClinicalRecord/supersedes``.
struct FHIRReferenceResolver {
    /// The attribute name a mapper uses for an unresolved `reasonReference`.
    static let reasonReference = "reason reference"

    private var indexByReference: [String: Int] = [:]
    private var versionKeys: [Int: [String]] = [:]
    private var versionOrder: [Int: String] = [:]

    mutating func register(_ record: ClinicalRecord, index: Int, node: JSONNode, type: String, fullURL: String?) {
        if let id = node["id"]?.string { indexByReference["\(type)/\(id)"] = index }
        if let fullURL { indexByReference[fullURL] = index }
        guard type == "Observation" || type == "DiagnosticReport" else { return }
        var keys: [String] = []
        // A shared identifier alone is not enough (some systems give every result of an order the
        // order's accession number): versions also share their code.
        let code = record.codes.first.map { "\($0.system.uri)|\($0.code)" } ?? record.title
        if let id = node["id"]?.string { keys.append("\(type)/id/\(id)") }
        for identifier in node["identifier"]?.array ?? [] {
            if let value = identifier["value"]?.string {
                keys.append("\(type)/identifier/\(identifier["system"]?.string ?? "")|\(value)/\(code)")
            }
        }
        versionKeys[index] = keys
        versionOrder[index] =
            node["meta"]?["lastUpdated"]?.string ?? node["issued"]?.string ?? ""
    }

    /// The records with references resolved and superseded versions removed; and how many were removed.
    func resolve(_ input: [ClinicalRecord]) -> ([ClinicalRecord], Int) {
        var records = input
        // Versions: group by shared keys (union of groups that share any key).
        var groupOfKey: [String: Int] = [:]
        var members: [Int: [Int]] = [:]
        for index in versionKeys.keys.sorted() {
            let keys = versionKeys[index] ?? []
            let group = keys.lazy.compactMap { groupOfKey[$0] }.first ?? index
            for key in keys where groupOfKey[key] == nil { groupOfKey[key] = group }
            members[group, default: []].append(index)
        }
        var removed: Set<Int> = []
        for (_, indexes) in members where indexes.count > 1 {
            let winner = indexes.max { lhs, rhs in
                rank(records[lhs], order: versionOrder[lhs] ?? "", position: lhs)
                    < rank(records[rhs], order: versionOrder[rhs] ?? "", position: rhs)
            }
            guard let winner else { continue }
            for index in indexes where index != winner {
                removed.insert(index)
                if records[index].id != records[winner].id, !records[winner].supersedes.contains(records[index].id) {
                    records[winner].supersedes.append(records[index].id)
                }
            }
        }
        // References.
        for index in records.indices where !removed.contains(index) {
            var record = records[index]
            var attributes: [RecordAttribute] = []
            for attribute in record.attributes {
                if attribute.name == Self.reasonReference {
                    if let target = indexByReference[attribute.value] {
                        attributes.append(RecordAttribute("reason", records[target].title))
                    }
                    continue
                }
                attributes.append(attribute)
                if attribute.name == "result", record.kind == .diagnosticReport,
                    let target = indexByReference[attribute.value]
                {
                    let result = records[target]
                    record.components.append(
                        RecordComponent(
                            title: result.title,
                            codes: result.codes,
                            value: result.value,
                            referenceRange: result.referenceRange,
                            interpretation: result.interpretation
                        )
                    )
                }
            }
            record.attributes = attributes
            records[index] = record
        }
        let kept = records.indices.filter { !removed.contains($0) }.map { records[$0] }
        return (kept, removed.count)
    }

    /// Amended and corrected versions win over others, then the latest, then the one read last.
    private func rank(_ record: ClinicalRecord, order: String, position: Int) -> (Int, String, Int) {
        let revised = record.status == "amended" || record.status == "corrected" ? 1 : 0
        return (revised, order, position)
    }
}
