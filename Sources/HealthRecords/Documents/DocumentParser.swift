public import Foundation

/// Reads documents a person brings: plain text, Markdown, and PDF lab reports and letters.
///
/// Lines that are lab results ("Potassium 6.4 mmol/L 3.5–5.1 H") become laboratory observations with
/// value, unit, reference range and flag; everything else stays narrative, one note per section, under
/// its heading (Markdown `#` headings, or short lines in capitals or ending with a colon). The report's
/// date is the first date on a line that names a collection, report or visit date, else the first date.
/// PDF text comes from ``PDFText`` (`pdftotext -layout`).
///
/// ```swift
/// let parsed = try DocumentParser().parse(contentsOf: URL(fileURLWithPath: "labs-2024.pdf"))
/// ```
public struct DocumentParser: Sendable {
    /// The largest document read: 256 MiB.
    public static let maximumFileSize = 256 << 20

    /// Creates a parser.
    public init() {}

    /// Parses a `.txt`, `.md` or `.pdf` file.
    /// - Throws: ``IngestError``: `.tooLarge`, `.unsupportedEncoding` (with the line) for text that is not
    ///   UTF-8 or UTF-16 with a BOM, `.malformed` for a PDF that pdftotext cannot read.
    public func parse(contentsOf url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        try FileLimits.require(url, atMost: Self.maximumFileSize, file: name)
        let text: String
        if url.pathExtension.lowercased() == "pdf" {
            text = try PDFText.text(contentsOf: url, file: name)
        } else {
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw IngestError(.unreadable, file: name, underlying: error)
            }
            text = try TextDecoding.decodeJSONText(data, file: name)
        }
        return parse(text: text, displayName: name, fallbackTitle: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses a document's text.
    public func parse(text: String, displayName name: String, fallbackTitle: String? = nil) -> ParsedSource {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\u{0C}", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let date = Self.reportDate(lines)
        var documentTitle: String?
        var sections: [(heading: String?, line: Int, body: [String])] = [(nil, 1, [])]
        var records: [ClinicalRecord] = []
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let heading = Self.heading(trimmed) {
                documentTitle = documentTitle ?? heading
                sections.append((heading, number, []))
                continue
            }
            if let lab = LabLine(line) {
                var record = ClinicalRecord(
                    id: RecordID("Document/\(name)/line\(number)"),
                    kind: .observation,
                    title: lab.name,
                    codes: lab.code.map { [$0] } ?? [],
                    category: "laboratory",
                    status: "final",
                    date: date,
                    value: .quantity(lab.value),
                    referenceRange: lab.range,
                    interpretation: lab.flag,
                    provenance: Provenance(
                        sourceFile: name,
                        resourceType: "lab result line",
                        location: "line \(number)"
                    )
                )
                if let heading = sections.last?.heading { record.attributes.append(RecordAttribute("panel", heading)) }
                records.append(record)
                continue
            }
            if !trimmed.isEmpty, documentTitle == nil { documentTitle = trimmed }
            sections[sections.count - 1].body.append(line)
        }
        let title = documentTitle ?? fallbackTitle ?? name
        for section in sections {
            let body = Self.tidy(section.body)
            guard !body.isEmpty else { continue }
            var note = ClinicalRecord(
                id: RecordID("Document/\(name)/line\(section.line)"),
                kind: .note,
                title: section.heading.map { $0 == title ? title : "\(title) — \($0)" } ?? title,
                category: "document",
                date: date,
                text: (section.heading.map { $0 + "\n" } ?? "") + body,
                provenance: Provenance(
                    sourceFile: name,
                    resourceType: "document section",
                    location: "line \(section.line)"
                )
            )
            if section.heading == nil && sections.count == 1 { note.title = title }
            records.append(note)
        }
        return ParsedSource(file: name, records: records.sorted { Self.line($0) < Self.line($1) })
    }

    static func line(_ record: ClinicalRecord) -> Int {
        Int(record.provenance.location?.dropFirst("line ".count) ?? "") ?? 0
    }

    /// Lines joined, runs of blank lines folded, layout spacing inside lines kept to one space.
    static func tidy(_ lines: [String]) -> String {
        var output: [String] = []
        for line in lines {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if words.isEmpty && (output.last?.isEmpty ?? true) { continue }
            output.append(words)
        }
        while output.last?.isEmpty == true { output.removeLast() }
        return output.joined(separator: "\n")
    }

    /// A heading: `# Title`, or a short line in capitals, or a short line ending with a colon.
    static func heading(_ line: String) -> String? {
        if line.hasPrefix("#") {
            let text = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
        guard line.count >= 3, line.count <= 60 else { return nil }
        let letters = line.filter(\.isLetter)
        if letters.count >= 3, letters.allSatisfy(\.isUppercase), !line.contains(where: \.isNumber) {
            return line.trimmingCharacters(in: CharacterSet(charactersIn: ":").union(.whitespaces))
        }
        if line.hasSuffix(":"), line.count <= 40, !line.dropLast().contains(":"), letters.count >= 3 {
            return String(line.dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// The report's date: on a line naming a collection/report/visit date, else the first date.
    static func reportDate(_ lines: [String]) -> Date? {
        let keywords = [
            "collected", "collection", "reported", "report date", "date of service", "visit", "drawn", "date",
        ]
        var first: Date?
        for line in lines {
            guard let date = firstDate(in: line) else { continue }
            let lowered = line.lowercased()
            if keywords.contains(where: { lowered.contains($0) }) { return date }
            first = first ?? date
        }
        return first
    }

    static let isoDate = try? NSRegularExpression(pattern: #"\b(\d{4})-(\d{2})-(\d{2})\b"#)
    static let usDate = try? NSRegularExpression(pattern: #"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"#)

    static func firstDate(in line: String) -> Date? {
        let range = NSRange(location: 0, length: (line as NSString).length)
        if let match = isoDate?.firstMatch(in: line, range: range) {
            return FHIRDate.parse((line as NSString).substring(with: match.range))
        }
        if let match = usDate?.firstMatch(in: line, range: range) {
            let parts = (1...3).map { Int((line as NSString).substring(with: match.range(at: $0))) ?? 0 }
            return FHIRDate.parse(String(format: "%04d-%02d-%02d", parts[2], parts[0], parts[1]))
        }
        return nil
    }
}
