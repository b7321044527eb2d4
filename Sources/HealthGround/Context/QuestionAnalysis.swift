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
    /// The question asks about the present ("currently", "now", "at the moment", "still", "these days";
    /// "actuellement", "en ce moment"; "actualmente", "ahora", "todavía"): active and latest records
    /// answer it, and old statements (a decades-old "no active medications") do not.
    public var wantsPresent: Bool
    /// Record kinds the question names ("medications", "labs", "allergic"; "médicaments", "vacuna").
    public var kinds: Set<RecordKind>
    /// Record kinds the question's form asks for without naming them: "do I have …" a condition,
    /// "am I taking …" a medication, "have I had my … out" a procedure. Retrieval searches these kinds
    /// on their own as well as all records.
    public var impliedKinds: Set<RecordKind>
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
        let padded = " " + words.joined(separator: " ") + " "
        wantsPresent =
            !set.isDisjoint(with: Self.presentWords)
            || Self.presentPhrases.contains { padded.contains(" \($0) ") }
        var kinds: Set<RecordKind> = []
        for word in words {
            if let kind = Self.kindWords[word] { kinds.insert(kind) }
            for (prefix, kind) in Self.kindPrefixes where word.hasPrefix(prefix) { kinds.insert(kind) }
        }
        self.kinds = kinds
        var implied: Set<RecordKind> = []
        for (phrase, kind) in Self.kindPhrases where padded.contains(" \(phrase) ") { implied.insert(kind) }
        impliedKinds = implied.subtracting(kinds)
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
        // French and Spanish.
        "traitements": .medication, "pilule": .medication, "comprimés": .medication, "medicinas": .medication,
        "pastilla": .medication, "receta": .medication,
        "résultat": .observation, "résultats": .observation, "analyse": .observation, "analyses": .observation,
        "taux": .observation, "tension": .observation, "poids": .observation, "température": .observation,
        "resultado": .observation, "resultados": .observation, "análisis": .observation, "prueba": .observation,
        "pruebas": .observation, "nivel": .observation, "presión": .observation, "peso": .observation,
        "temperatura": .observation,
        "vacuna": .immunization, "vacunas": .immunization, "rappel": .immunization,
        "diagnostic": .condition, "problème": .condition, "problèmes": .condition, "diagnóstico": .condition,
        "problema": .condition, "problemas": .condition,
        "chirurgie": .procedure, "opération": .procedure, "cirugía": .procedure, "operación": .procedure,
        "intervention": .procedure, "intervención": .procedure,
        "rendez": .encounter, "visite": .encounter, "consultation": .encounter, "cita": .encounter,
        "consulta": .encounter,
    ]

    static let kindPrefixes: [(String, RecordKind)] = [
        ("vaccin", .immunization), ("immuniz", .immunization), ("vacun", .immunization),
        ("médicament", .medication), ("medicament", .medication), ("medicamento", .medication),
        ("alerg", .allergy), ("allerg", .allergy),
    ]

    /// Words that ask about the present, in English, French and Spanish.
    static let presentWords: Set<String> = [
        "currently", "current", "now", "nowadays", "presently", "still", "anymore", "today",
        "actuellement", "actuel", "actuelle", "actuels", "actuelles", "maintenant", "aujourd",
        "actualmente", "actual", "actuales", "ahora", "todavía", "todavia", "aún", "hoy",
    ]

    /// Phrases that ask about the present.
    static let presentPhrases: [String] = [
        "at the moment", "right now", "these days", "at present", "as of now", "any more",
        "en ce moment", "à présent", "a présent", "toujours sous", "encore sous",
        "en este momento", "hoy en día", "hoy en dia", "sigo tomando", "sigo con",
        // The simple present of status questions asks about now: "do I have any allergies?", "what do
        // I take for …?", "am I on …?".
        "do i have", "have i got", "am i taking", "am i on", "do i take", "i take", "am i allergic",
        "are my", "what are my", "est ce que j ai", "ai je", "je prends", "suis je", "tengo", "tomo",
        "estoy tomando", "soy alérgico", "soy alérgica", "cuáles son mis",
    ]

    /// Forms of question that ask for a kind of record without naming it.
    static let kindPhrases: [(String, RecordKind)] = [
        ("do i have", .condition), ("have i got", .condition), ("am i diagnosed", .condition),
        ("have i been diagnosed", .condition), ("have i ever had", .condition), ("did i have", .condition),
        ("health problems", .condition), ("health issues", .condition), ("suffer from", .condition),
        ("est ce que j ai", .condition), ("ai je un", .condition), ("ai je une", .condition), ("ai je des", .condition),
        ("est ce que je souffre", .condition),
        ("problèmes de santé", .condition), ("maladie", .condition), ("maladies", .condition),
        ("tengo", .condition), ("padezco", .condition), ("problemas de salud", .condition),
        ("enfermedad", .condition), ("enfermedades", .condition),
        ("am i taking", .medication), ("am i on", .medication), ("am i still on", .medication),
        ("do i take", .medication), ("i take", .medication), ("on anything for", .medication),
        ("take anything for", .medication), ("taking anything for", .medication),
        ("je prends", .medication), ("est ce que je prends", .medication), ("traitement", .medication),
        ("tomo", .medication), ("estoy tomando", .medication), ("pastillas", .medication),
        ("taken out", .procedure), ("removed", .procedure), ("had surgery", .procedure), ("operated", .procedure),
        ("opéré", .procedure), ("opérée", .procedure), ("chirurgie", .procedure), ("opération", .procedure),
        ("operaron", .procedure), ("cirugía", .procedure), ("cirugia", .procedure),
        ("shot", .immunization), ("jab", .immunization), ("booster", .immunization), ("piqûre", .immunization),
        ("rappel", .immunization), ("inyección", .immunization),
        ("allergic", .allergy), ("allergique", .allergy), ("alérgico", .allergy), ("alérgica", .allergy),
    ]

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
        "moment", "days", "nowadays", "presently", "anymore", "right", "whats", "hows", "wheres", "whens", "dont",
        "didnt", "doesnt", "arent", "isnt", "wasnt", "havent", "hasnt", "id", "ill",
        // French.
        "le", "la", "les", "un", "une", "des", "du", "de", "d", "l", "j", "je", "tu", "il", "elle", "on", "nous",
        "vous", "ils", "elles", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "votre", "leur",
        "ce", "cet", "cette", "ces", "que", "qui", "quoi", "quel", "quelle", "quels", "quelles", "quand", "comment",
        "où", "est", "sont", "suis", "ai", "as", "avons", "avez", "ont", "été", "eu", "fait", "faire", "et", "ou",
        "mais", "donc", "pour", "par", "avec", "sans", "sur", "sous", "dans", "en", "au", "aux", "y", "ne", "pas",
        "plus", "moins", "trop", "très", "tout", "tous", "toute", "toutes", "dernier", "dernière", "derniers",
        "récent", "récente", "actuellement", "maintenant", "encore", "toujours", "depuis", "avant", "après",
        "jamais", "déjà", "quelque", "chose", "est-ce", "qu", "s", "c", "n", "m", "t",
        // Spanish.
        "el", "los", "las", "una", "unos", "unas", "del", "al", "yo", "mi", "mis", "tu", "tus", "su", "sus",
        "nuestro", "que", "qué", "cuál", "cuáles", "cual", "cuales", "cuándo", "cuando", "cómo", "como", "dónde",
        "es", "son", "soy", "estoy", "está", "están", "he", "ha", "han", "hay", "fue", "tengo", "tiene", "y",
        "o", "pero", "para", "por", "con", "sin", "sobre", "en", "de", "lo", "le", "les", "se", "me", "no", "sí",
        "muy", "más", "menos", "todo", "todos", "último", "última", "últimos", "últimas", "reciente", "ahora",
        "actualmente", "todavía", "aún", "mismo", "momento", "desde", "antes", "después", "nunca", "ya", "algo",
        "algún", "alguna", "tomo", "tomando",
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
