import Foundation

/// What ``CitationCheck/verify(answer:context:)`` found wrong with an answer's citations and claims.
public struct CitationReport: Sendable, Codable, Hashable {
    /// Citation numbers in the answer that point at no evidence item.
    public var invalidCitations: [Int]
    /// Snapshot labels in the answer (`S7`) that point at no snapshot line.
    public var invalidSnapshotCitations: [String] = []
    /// Numbers in the answer found in no cited evidence item (as written in the answer).
    public var unsupportedNumbers: [String]
    /// Dates in the answer found in no cited evidence item (as `YYYY-MM-DD`, or a year).
    public var unsupportedDates: [String]

    /// Whether nothing was found wrong.
    public var isClean: Bool {
        invalidCitations.isEmpty && invalidSnapshotCitations.isEmpty && unsupportedNumbers.isEmpty
            && unsupportedDates.isEmpty
    }
}

/// Checks an answer against the context it was written from.
public enum CitationCheck {
    /// Reports citations `[n]` and `[Sn]` that point nowhere, and numbers or dates in the answer that
    /// appear in no cited evidence item or snapshot line (when the answer cites nothing, in none at all).
    public static func verify(answer: String, context: GroundedContext) -> CitationReport {
        let cited = citations(in: answer)
        let citedLines = snapshotCitations(in: answer)
        let known = Set(context.evidence.map(\.number))
        let invalid = cited.filter { !known.contains($0) }
        let lines = context.snapshot.lines.filter { $0.label != nil }
        let knownLabels = Set(lines.compactMap(\.label))
        let invalidLines = citedLines.filter { !knownLabels.contains($0) }
        let citesNothing = cited.isEmpty && citedLines.isEmpty
        let pool =
            context.evidence.filter { citesNothing || cited.contains($0.number) }.map(\.text)
            + lines.filter { line in citesNothing || line.label.map(citedLines.contains) == true }.map(\.text)
        let evidenceText = pool.joined(separator: "\n")
        let evidenceDates = Set(dates(in: evidenceText).map(\.normalized))
        let evidenceYears = Set(evidenceDates.map { String($0.prefix(4)) })
        let evidenceNumbers = Set(numbers(in: evidenceText).map(\.value))

        let stripped = answer.replacingOccurrences(of: citationPattern, with: " ", options: .regularExpression)
        let answerDates = dates(in: stripped)
        var unsupportedDates: [String] = []
        var covered: [Range<String.Index>] = []
        for date in answerDates {
            covered.append(date.range)
            if !evidenceDates.contains(date.normalized) { unsupportedDates.append(date.normalized) }
        }
        var unsupportedNumbers: [String] = []
        for number in numbers(in: stripped) where !covered.contains(where: { $0.overlaps(number.range) }) {
            if number.text.count == 4, let year = Int(number.text), (1900...2100).contains(year) {
                if !evidenceYears.contains(number.text) { unsupportedDates.append(number.text) }
                continue
            }
            if !evidenceNumbers.contains(number.value) { unsupportedNumbers.append(number.text) }
        }
        return CitationReport(
            invalidCitations: Array(Set(invalid)).sorted(),
            invalidSnapshotCitations: Array(invalidLines).sorted(),
            unsupportedNumbers: unsupportedNumbers,
            unsupportedDates: unsupportedDates
        )
    }

    /// A citation marker: `[3]`, `[S2]`, `[1, S2]`.
    static let citationPattern = #"\[(S?\d+(?:\s*,\s*S?\d+)*)\]"#

    /// How many citation markers (`[3]`, `[1, 2]` counts two, `[S3]` one) an answer has.
    public static func citationCount(in answer: String) -> Int {
        var count = 0
        var search = answer.startIndex..<answer.endIndex
        while let range = answer.range(of: citationPattern, options: .regularExpression, range: search) {
            count += answer[range].split(separator: ",").count
            search = range.upperBound..<answer.endIndex
        }
        return count
    }

    /// How many numbers and dates (the claims ``verify(answer:context:)`` checks) an answer has.
    public static func claimCount(in answer: String) -> Int {
        let stripped = answer.replacingOccurrences(of: citationPattern, with: " ", options: .regularExpression)
        let found = dates(in: stripped)
        let numbers = numbers(in: stripped).filter { number in !found.contains { $0.range.overlaps(number.range) } }
        return found.count + numbers.count
    }

    /// The snapshot labels (`S3`) an answer cites.
    static func snapshotCitations(in text: String) -> Set<String> {
        var result: Set<String> = []
        var search = text.startIndex..<text.endIndex
        while let range = text.range(of: citationPattern, options: .regularExpression, range: search) {
            for part in text[range].dropFirst().dropLast().split(separator: ",") {
                let label = part.trimmingCharacters(in: .whitespaces)
                if label.hasPrefix("S") { result.insert(label) }
            }
            search = range.upperBound..<text.endIndex
        }
        return result
    }

    static func citations(in text: String) -> Set<Int> {
        var result: Set<Int> = []
        var search = text.startIndex..<text.endIndex
        while let range = text.range(of: citationPattern, options: .regularExpression, range: search) {
            let inner = text[range].dropFirst().dropLast()
            for part in inner.split(separator: ",") {
                if let number = Int(part.trimmingCharacters(in: .whitespaces)) { result.insert(number) }
            }
            search = range.upperBound..<text.endIndex
        }
        return result
    }

    struct FoundNumber {
        var text: String
        var value: Double
        var range: Range<String.Index>
    }

    static func numbers(in text: String) -> [FoundNumber] {
        var result: [FoundNumber] = []
        var search = text.startIndex..<text.endIndex
        while let range = text.range(
            of: #"(?<![\w.])\d+(?:\.\d+)?(?![\w])"#,
            options: .regularExpression,
            range: search
        ) {
            let token = String(text[range])
            if let value = Double(token) { result.append(FoundNumber(text: token, value: value, range: range)) }
            search = range.upperBound..<text.endIndex
        }
        return result
    }

    struct FoundDate {
        var normalized: String
        var range: Range<String.Index>
    }

    static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    /// ISO dates, `March 3, 2023` / `3 March 2023`, and `03/03/2023` (read as month/day).
    static func dates(in text: String) -> [FoundDate] {
        var result: [FoundDate] = []
        func scan(_ pattern: String, _ make: ([String]) -> String?) {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return }
            let nsText = text as NSString
            for match in regex.matches(in: text, range: NSRange(location: 0, length: nsText.length)) {
                let groups = (1..<match.numberOfRanges).map {
                    match.range(at: $0).location == NSNotFound ? "" : nsText.substring(with: match.range(at: $0))
                }
                if let normalized = make(groups), let range = Range(match.range, in: text) {
                    result.append(FoundDate(normalized: normalized, range: range))
                }
            }
        }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        scan(#"\b(\d{4})-(\d{2})-(\d{2})\b"#) { "\($0[0])-\($0[1])-\($0[2])" }
        let monthPattern = months.joined(separator: "|")
        scan(#"\b(\#(monthPattern))\s+(\d{1,2}),?\s+(\d{4})\b"#) { groups in
            guard let month = months.firstIndex(of: groups[0].lowercased()), let day = Int(groups[1]) else {
                return nil
            }
            return "\(groups[2])-\(two(month + 1))-\(two(day))"
        }
        scan(#"\b(\d{1,2})\s+(\#(monthPattern))\s+(\d{4})\b"#) { groups in
            guard let month = months.firstIndex(of: groups[1].lowercased()), let day = Int(groups[0]) else {
                return nil
            }
            return "\(groups[2])-\(two(month + 1))-\(two(day))"
        }
        scan(#"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"#) { groups in
            guard let month = Int(groups[0]), let day = Int(groups[1]) else { return nil }
            return "\(groups[2])-\(two(month))-\(two(day))"
        }
        return result
    }
}
