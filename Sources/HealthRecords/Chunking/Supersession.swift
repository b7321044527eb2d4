import Foundation

/// Which records newer ones replace.
public enum Supersession {
    /// The ids of records replaced by another record of the same input:
    /// - records named in another record's ``ClinicalRecord/supersedes``;
    /// - an observation with the same code and time as an `amended` or `corrected` one;
    /// - an older medication record with the same drug code as a newer one (the newest states the
    ///   current status).
    public static func supersededIDs(in records: [ClinicalRecord]) -> Set<RecordID> {
        var replaced = Set(records.flatMap(\.supersedes))
        let revisions = records.filter {
            $0.kind == .observation && ($0.status == "amended" || $0.status == "corrected")
        }
        for revision in revisions {
            for record in records where record.id != revision.id && record.kind == .observation {
                if record.date == revision.date, record.status != "amended", record.status != "corrected",
                    !Set(record.codes.map(\.code)).isDisjoint(with: revision.codes.map(\.code))
                {
                    replaced.insert(record.id)
                }
            }
        }
        var newestByDrug: [String: ClinicalRecord] = [:]
        for record in records where record.kind == .medication {
            let key = record.codes.first.map { "\($0.system.uri)|\($0.code)" } ?? record.title.lowercased()
            if let current = newestByDrug[key] {
                let currentDate = current.date ?? .distantPast
                let date = record.date ?? .distantPast
                if date > currentDate || (date == currentDate && record.id > current.id) {
                    replaced.insert(current.id)
                    newestByDrug[key] = record
                } else {
                    replaced.insert(record.id)
                }
            } else {
                newestByDrug[key] = record
            }
        }
        return replaced
    }
}
