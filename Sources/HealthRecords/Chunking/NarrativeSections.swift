import Foundation

/// Splits a note into sections at its headings: Markdown headings (`# History`), and short lines
/// ending with a colon or written in capitals (`ASSESSMENT AND PLAN:`).
enum NarrativeSections {
    struct Section: Equatable {
        var heading: String?
        var body: String
    }

    static func split(_ text: String) -> [Section] {
        var sections: [Section] = []
        var heading: String?
        var lines: [Substring] = []
        func flush() {
            let body = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !body.isEmpty || heading != nil {
                if !body.isEmpty { sections.append(Section(heading: heading, body: body)) }
            }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let title = Self.heading(of: line) {
                flush()
                heading = title
            } else {
                lines.append(line)
            }
        }
        flush()
        return sections
    }

    static func heading(of line: Substring) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("#") {
            let title = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            return title.isEmpty ? nil : title
        }
        let words = trimmed.split(separator: " ")
        guard !words.isEmpty, words.count <= 6, trimmed.count <= 60 else { return nil }
        if trimmed.hasSuffix(":") && trimmed.first?.isUppercase == true { return String(trimmed.dropLast()) }
        let letters = trimmed.filter(\.isLetter)
        if letters.count >= 4 && letters.allSatisfy(\.isUppercase) { return trimmed }
        return nil
    }
}
