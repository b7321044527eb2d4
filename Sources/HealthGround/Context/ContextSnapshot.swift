public import Foundation
public import HealthRecords

/// The patient snapshot of a ``GroundedContext``: IPS-style sections whose lines each name the records
/// they state, so that an answer resting on the snapshot ("what am I taking?") can cite it as `[S3]`,
/// and ``CitationCheck`` can verify what it cites.
///
/// A line that states that nothing is recorded ("No active medications recorded") rests on no record
/// and has no label.
public struct ContextSnapshot: Sendable, Codable, Hashable {
    /// One fact of the snapshot.
    public struct Line: Sendable, Codable, Hashable {
        /// The label an answer cites (`S3`), for a line that rests on records; nil otherwise.
        public var label: String?
        /// The fact.
        public var text: String
        /// The records it states.
        public var recordIDs: [RecordID]
        /// The fact's clinical date.
        public var date: Date?
        /// Where its records come from: `file · Resource/id` for each record, joined by `; `.
        public var citation: String?
    }

    /// One titled section.
    public struct Section: Sendable, Codable, Hashable {
        /// The title (`Active medications`).
        public var title: String
        /// The lines that fit the budget.
        public var lines: [Line]
    }

    /// The date the snapshot describes (the "as of" date, else the latest record's date).
    public var date: Date?
    /// The sections, in IPS order, each with the lines that fit the budget.
    public var sections: [Section]
    /// How many lines were left out to fit the budget.
    public var omittedLines: Int

    /// Every line, in order.
    public var lines: [Line] { sections.flatMap(\.lines) }

    /// The line an answer cites as `[label]`.
    public func line(labelled label: String) -> Line? {
        lines.first { $0.label == label }
    }

    /// The snapshot as the prompt shows it: a heading per section and a line per fact, each
    /// citable line led by its label (`- [S3] Lisinopril 10 MG Oral Tablet (since 2019-02-11)`).
    public var text: String {
        var rendered = [Self.heading(date)]
        for section in sections {
            rendered.append("\(section.title):")
            rendered.append(contentsOf: section.lines.map(Self.render))
        }
        if omittedLines > 0 { rendered.append("(\(omittedLines) more lines left out to fit the budget)") }
        return rendered.joined(separator: "\n")
    }

    static func heading(_ date: Date?) -> String {
        "Patient summary" + (date.map { " as of \(FHIRDate.day($0))" } ?? "")
    }

    static func render(_ line: Line) -> String {
        line.label.map { "- [\($0)] \(line.text)" } ?? "- \(line.text)"
    }

    /// The snapshot of a person's records, cut to `limit` tokens line by line (a section none of whose
    /// lines fit is left out), with the citation of every line.
    /// - Parameters:
    ///   - snapshot: the records' summary.
    ///   - records: the records by id, for the lines' citations.
    ///   - limit: the token budget.
    ///   - count: the token counter; WordPiece splits at whitespace, so lines' counts add up.
    init(
        _ snapshot: PatientSnapshot,
        records: [RecordID: ClinicalRecord],
        limit: Int,
        count: (String) -> Int
    ) {
        date = snapshot.date
        var used = count(Self.heading(snapshot.date))
        var next = 1
        var sections: [Section] = []
        var omitted = 0
        for section in snapshot.sections {
            let headingCost = count("\(section.title):")
            var kept: [Line] = []
            for line in section.lines {
                var made = Line(label: nil, text: line.text, recordIDs: line.recordIDs, date: line.date, citation: nil)
                if !line.recordIDs.isEmpty {
                    made.label = "S\(next)"
                    made.citation = line.recordIDs.map { id in
                        guard let record = records[id] else { return id.rawValue }
                        return "\(record.provenance.sourceFile) · \(id.rawValue)"
                    }.joined(separator: "; ")
                }
                let cost = count(Self.render(made)) + (kept.isEmpty ? headingCost : 0)
                guard used + cost <= limit else {
                    omitted += 1
                    continue
                }
                used += cost
                if made.label != nil { next += 1 }
                kept.append(made)
            }
            if !kept.isEmpty { sections.append(Section(title: section.title, lines: kept)) }
        }
        self.sections = sections
        omittedLines = omitted
    }
}
