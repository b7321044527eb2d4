public import Foundation

/// A summary of a person's records in the manner of the International Patient Summary: active
/// problems, active medications, allergies, immunizations, latest vital signs, recent results and
/// the last encounters.
///
/// Allergies distinguish a record that states "no known allergies" from having no allergy
/// information at all.
public struct PatientSnapshot: Sendable {
    /// One fact of a section, with the records it states.
    public struct Line: Sendable, Hashable, Codable {
        /// The fact (`Lisinopril 10 MG Oral Tablet (since 2019-02-11)`).
        public var text: String
        /// The records it comes from; empty for a statement that nothing is recorded.
        public var recordIDs: [RecordID]
        /// The clinical date of the fact, when it has one.
        public var date: Date?

        /// Creates a line.
        public init(text: String, recordIDs: [RecordID], date: Date? = nil) {
            self.text = text
            self.recordIDs = recordIDs
            self.date = date
        }
    }

    /// One titled section with its lines.
    public struct Section: Sendable, Hashable, Codable {
        /// The section's title (`Active problems`).
        public var title: String
        /// Its lines, one fact each.
        public var lines: [Line]
        /// The records the lines come from.
        public var recordIDs: [RecordID] { lines.flatMap(\.recordIDs) }
    }

    /// The sections, in IPS order.
    public private(set) var sections: [Section] = []
    /// The date the snapshot describes (the latest record's date, or the "as of" date).
    public private(set) var date: Date?
    private var sourceFile = ""

    /// Builds the snapshot of a person's records, optionally as of a past date (later records ignored).
    public init(records all: [ClinicalRecord], asOf: Date? = nil) {
        let records = asOf.map { cutoff in all.filter { ($0.date ?? .distantPast) <= cutoff } } ?? all
        let superseded = Supersession.supersededIDs(in: records)
        let current = records.filter { !superseded.contains($0.id) }
        date = asOf ?? records.compactMap(\.date).max()
        sourceFile =
            records.first { $0.kind == .patient }?.provenance.sourceFile ?? records.first?.provenance.sourceFile ?? ""
        func day(_ date: Date?) -> String { date.map(FHIRDate.day) ?? "undated" }
        // Ties (same-day results) are broken by id, so the capped lists are the same on every run.
        func newestFirst(_ a: ClinicalRecord, _ b: ClinicalRecord) -> Bool {
            let (left, right) = (a.date ?? .distantPast, b.date ?? .distantPast)
            return left != right ? left > right : a.id.rawValue < b.id.rawValue
        }
        func newer(_ candidate: ClinicalRecord, than known: ClinicalRecord) -> Bool {
            newestFirst(candidate, known)
        }

        let problems = current.filter {
            $0.kind == .condition && $0.assertion == .present
                && ($0.status == nil || $0.status == "active"
                    || $0.status == "recurrence" || $0.status == "relapse")
        }.sorted(by: newestFirst)
        add("Active problems", problems, empty: "No active problems recorded") { "\($0.title) (since \(day($0.date)))" }

        let medications = current.filter {
            $0.kind == .medication && ($0.status == "active" || $0.status == "on-hold" || $0.status == "intended")
        }.sorted(by: newestFirst)
        add("Active medications", medications, empty: "No active medications recorded") { record in
            var line = "\(record.title) (since \(day(record.date))"
            if let dosage = record.attribute("dosage") { line += "; \(dosage)" }
            return line + ")"
        }

        let allergies = current.filter { $0.kind == .allergy }
        let present = allergies.filter {
            $0.assertion == .present && $0.status != "resolved" && $0.status != "inactive"
        }
        if !present.isEmpty {
            add("Allergies and intolerances", present, empty: "") { record in
                var details: [String] = []
                if let criticality = record.attribute("criticality") { details.append("\(criticality) criticality") }
                let reactions = record.attributes.filter { $0.name == "reaction" }.map(\.value)
                if !reactions.isEmpty { details.append("reaction: " + reactions.joined(separator: ", ")) }
                return record.title + (details.isEmpty ? "" : " (\(details.joined(separator: "; ")))")
            }
        } else if let absent = allergies.first(where: { $0.assertion == .absent }) {
            sections.append(
                Section(
                    title: "Allergies and intolerances",
                    lines: [
                        Line(
                            text: "No known allergies (recorded \(day(absent.date)))",
                            recordIDs: [absent.id],
                            date: absent.date
                        )
                    ]
                )
            )
        } else {
            sections.append(
                Section(
                    title: "Allergies and intolerances",
                    lines: [Line(text: "No allergy information in the records", recordIDs: [])]
                )
            )
        }

        var latestVaccine: [String: ClinicalRecord] = [:]
        for record in current where record.kind == .immunization && record.assertion == .present {
            let key = record.codes.first?.code ?? record.title
            if let known = latestVaccine[key], !newer(record, than: known) { continue }
            latestVaccine[key] = record
        }
        add(
            "Immunizations (latest of each)",
            latestVaccine.values.sorted(by: newestFirst),
            empty: "No immunizations recorded"
        ) {
            "\($0.title) (\(day($0.date)))"
        }

        let observations = current.filter { $0.kind == .observation && $0.assertion == .present }
        var latestByCode: [String: ClinicalRecord] = [:]
        for record in observations {
            let key = record.codes.first.map { "\($0.system.uri)|\($0.code)" } ?? record.title
            if let known = latestByCode[key], !newer(record, than: known) { continue }
            latestByCode[key] = record
        }
        let latest = latestByCode.values.sorted(by: newestFirst)
        add("Latest vital signs", latest.filter { $0.category == "vital-signs" }, empty: "No vital signs recorded") {
            "\($0.title): \(Self.valueText($0)) (\(day($0.date)))"
        }
        let labs = latest.filter { $0.category == "laboratory" }
        add("Recent results", Array(labs.prefix(12)), empty: "No laboratory results recorded") {
            "\($0.title): \(Self.valueText($0)) (\(day($0.date)))"
        }

        let encounters = current.filter { $0.kind == .encounter }.sorted(by: newestFirst)
        add("Last encounters", Array(encounters.prefix(3)), empty: "No encounters recorded") { record in
            var line = "\(record.title) (\(day(record.date)))"
            if let reason = record.attribute("reason") { line += ", reason: \(reason)" }
            return line
        }
    }

    private mutating func add(
        _ title: String,
        _ records: [ClinicalRecord],
        empty: String,
        line: (ClinicalRecord) -> String
    ) {
        sections.append(
            Section(
                title: title,
                lines: records.isEmpty
                    ? [Line(text: empty, recordIDs: [])]
                    : records.map { Line(text: line($0), recordIDs: [$0.id], date: $0.date) }
            )
        )
    }

    static func valueText(_ record: ClinicalRecord) -> String { ComponentReading.valueText(of: record) }

    /// The snapshot as Markdown-ish text: a heading per section and a line per fact.
    public var text: String {
        var lines = ["Patient summary" + (date.map { " as of \(FHIRDate.day($0))" } ?? "")]
        for section in sections {
            lines.append("\(section.title):")
            lines.append(contentsOf: section.lines.map { "- \($0.text)" })
        }
        return lines.joined(separator: "\n")
    }

    /// The snapshot as a chunk, or nil when there are no records.
    public var chunk: Chunk? {
        guard sections.contains(where: { !$0.recordIDs.isEmpty }) else { return nil }
        return Chunk(
            recordID: RecordID("snapshot"),
            kind: .patient,
            role: .snapshot,
            sourceRecordIDs: sections.flatMap(\.recordIDs),
            title: "Patient summary",
            text: text,
            date: date,
            provenance: Provenance(sourceFile: sourceFile, resourceType: "Summary")
        )
    }
}
