public import Foundation
public import HealthRecords

/// What a question asks about time and kind: an explicit period, "latest", "over time", and the
/// kinds of record it names.
public struct QuestionAnalysis: Sendable, Hashable, Codable {
    /// An explicit period named in the question ("in 2021", "since March", "last year").
    public var period: DateInterval?
    /// The question asks for the latest value or current state ("last", "latest", "current").
    public var wantsLatest: Bool
    /// The question asks how something changed over time ("trend", "since", "changed").
    public var wantsTrend: Bool
    /// Record kinds the question names ("medications", "labs", "allergic").
    public var kinds: Set<RecordKind>
    /// The question's content words (no stop words, no time words), lower-cased.
    public var terms: [String]

    /// Reads a question, resolving relative periods against `now`.
    public init(_ question: String, now: Date = Date()) {
        let text = question.lowercased()
        let words = text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        let set = Set(words)
        wantsLatest = !set.isDisjoint(with: [
            "last", "latest", "recent", "recently", "current", "currently", "now", "today", "newest",
        ])
        wantsTrend =
            !set.isDisjoint(with: [
                "trend", "trends", "changed", "change", "changes", "history", "progress", "over", "improved",
                "improving", "since", "compare", "compared", "evolution",
            ])
        var kinds: Set<RecordKind> = []
        for word in words {
            if let kind = Self.kindWords[word] { kinds.insert(kind) }
            for (prefix, kind) in Self.kindPrefixes where word.hasPrefix(prefix) { kinds.insert(kind) }
        }
        self.kinds = kinds
        terms = words.filter { !Self.stopWords.contains($0) && !Self.monthNumbers.keys.contains($0) && Int($0) == nil }
        period = Self.period(in: words, now: now)
    }

    static let kindWords: [String: RecordKind] = [
        "lab": .observation, "labs": .observation, "test": .observation, "tests": .observation,
        "result": .observation, "results": .observation, "level": .observation, "levels": .observation,
        "pressure": .observation, "weight": .observation, "vitals": .observation,
        "medication": .medication, "medications": .medication, "medicine": .medication, "medicines": .medication,
        "meds": .medication, "drug": .medication, "drugs": .medication, "pill": .medication, "pills": .medication,
        "prescribed": .medication, "prescription": .medication, "taking": .medication, "dose": .medication,
        "allergy": .allergy, "allergies": .allergy, "allergic": .allergy,
        "vaccine": .immunization, "vaccines": .immunization, "vaccinated": .immunization, "shot": .immunization,
        "shots": .immunization, "immunization": .immunization, "immunizations": .immunization,
        "booster": .immunization,
        "visit": .encounter, "visits": .encounter, "appointment": .encounter, "appointments": .encounter,
        "seen": .encounter, "checkup": .encounter,
        "condition": .condition, "conditions": .condition, "diagnosis": .condition, "diagnosed": .condition,
        "problem": .condition, "problems": .condition, "disease": .condition,
        "procedure": .procedure, "procedures": .procedure, "surgery": .procedure, "operation": .procedure,
        "note": .note, "notes": .note, "letter": .note, "referral": .note, "referred": .note, "report": .note,
    ]

    static let kindPrefixes: [(String, RecordKind)] = [("vaccin", .immunization), ("immuniz", .immunization)]

    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "been", "by", "did", "do", "does", "for", "from", "had", "has",
        "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "their",
        "there", "this", "to", "was", "were", "what", "when", "where", "which", "who", "why", "will", "with",
        "you", "your", "can", "could", "should", "would", "any", "all", "am", "ever", "get", "got", "show",
        "showed", "shows", "tell", "about", "last", "latest", "recent", "recently", "current", "currently", "now",
        "since", "year", "years", "month", "months", "week", "weeks", "ago", "before", "after", "between",
        "during", "time", "over", "changed", "change", "trend", "records", "record", "say", "said", "says",
        "ive", "i've", "im", "being", "still", "much", "many", "been", "did", "first", "most", "value",
        "values", "today", "help", "prepare", "need", "know", "want", "please", "there", "these", "those",
    ]

    static let monthNumbers: [String: Int] = [
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
        "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
        "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    ]

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }

    static func date(_ year: Int, _ month: Int = 1, _ day: Int = 1) -> Date? {
        calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    /// Periods: "in 2021", "in March 2023", "since March", "since 2020", "before 2019", "after 2020",
    /// "between 2019 and 2021", "last year", "this year", "last month", "in the last N months/years".
    static func period(in words: [String], now: Date) -> DateInterval? {
        let year = calendar.component(.year, from: now)
        func yearValue(_ word: String) -> Int? {
            guard let value = Int(word), (1900...2100).contains(value) else { return nil }
            return value
        }
        for (index, word) in words.enumerated() {
            let next = index + 1 < words.count ? words[index + 1] : ""
            let afterNext = index + 2 < words.count ? words[index + 2] : ""
            switch word {
            case "between":
                if let from = yearValue(next), afterNext == "and", index + 3 < words.count,
                    let to = yearValue(words[index + 3]), let start = date(from), let end = date(to + 1)
                {
                    return DateInterval(start: start, end: end)
                }
            case "since", "after", "from":
                if let month = monthNumbers[next] {
                    let explicitYear = yearValue(afterNext)
                    var startYear = explicitYear ?? year
                    if explicitYear == nil, let candidate = date(year, month), candidate > now { startYear -= 1 }
                    if let start = date(startYear, month) { return DateInterval(start: start, end: max(start, now)) }
                }
                if let value = yearValue(next), let start = date(word == "after" ? value + 1 : value) {
                    return DateInterval(start: start, end: max(start, now))
                }
            case "before":
                if let value = yearValue(next), let end = date(value) {
                    return DateInterval(start: Date(timeIntervalSince1970: -2_208_988_800), end: end)
                }
            case "in", "during":
                if let month = monthNumbers[next], let value = yearValue(afterNext), let start = date(value, month),
                    let end = calendar.date(byAdding: .month, value: 1, to: start)
                {
                    return DateInterval(start: start, end: end)
                }
                if let value = yearValue(next), let start = date(value), let end = date(value + 1) {
                    return DateInterval(start: start, end: end)
                }
            case "last", "past":
                if next == "year", let start = date(year - 1), let end = date(year) {
                    return DateInterval(start: start, end: end)
                }
                if next == "month", let start = calendar.date(byAdding: .month, value: -1, to: now) {
                    return DateInterval(start: start, end: now)
                }
                if let count = Int(next), count > 0, count < 100 {
                    let unit: Calendar.Component? =
                        afterNext.hasPrefix("year")
                        ? .year
                        : afterNext.hasPrefix("month")
                            ? .month
                            : afterNext.hasPrefix("week") ? .weekOfYear : nil
                    if let unit, let start = calendar.date(byAdding: unit, value: -count, to: now) {
                        return DateInterval(start: start, end: now)
                    }
                }
            case "this":
                if next == "year", let start = date(year) { return DateInterval(start: start, end: max(start, now)) }
            default:
                break
            }
        }
        return nil
    }
}
