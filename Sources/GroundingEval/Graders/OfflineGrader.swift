import Foundation

/// A grader that needs no model server: it compares the content words of the rubric item with the
/// response. It is an approximation, and every report it appears in says so
/// (``GraderIdentity/isApproximate``); its agreement is measured by grading the physicians' ideal
/// completions (see `docs/evaluation.md`).
///
/// How it decides: the criterion's content words (lower-cased, stop words removed, crudely stemmed)
/// before any "such as" / "e.g." / "including" list are the core; the criterion is met when at least
/// ``coreThreshold`` of the core words occur in the response, or ``exampleThreshold`` of them do and
/// one of the listed examples does. A criterion phrased as an absence ("Fails to …", "Does not …") is
/// met only when the thing is clearly missing: fewer than ``absenceThreshold`` of its words occur. A negative-point criterion phrased as a behaviour needs
/// ``negativeThreshold`` of its words, since lexical overlap alone says little about undesirable advice.
public struct OfflineGrader: Grader {
    /// Share of core words that must occur for a positive criterion.
    public var coreThreshold: Double
    /// Share of core words that must occur when a listed example also occurs.
    public var exampleThreshold: Double
    /// Share of words that must occur for a negative-point criterion stated as a behaviour.
    public var negativeThreshold: Double
    /// Share of words from which the thing an absence criterion names counts as present.
    public var absenceThreshold: Double

    /// Creates the grader with its thresholds.
    public init(
        coreThreshold: Double = 0.5,
        exampleThreshold: Double = 0.3,
        negativeThreshold: Double = 0.8,
        absenceThreshold: Double = 0.3
    ) {
        self.coreThreshold = coreThreshold
        self.exampleThreshold = exampleThreshold
        self.negativeThreshold = negativeThreshold
        self.absenceThreshold = absenceThreshold
    }

    /// `offline-lexical`, approximate.
    public var identity: GraderIdentity {
        GraderIdentity(
            kind: "offline-lexical",
            model: "v1 core=\(coreThreshold) example=\(exampleThreshold) negative=\(negativeThreshold) "
                + "absence=\(absenceThreshold)",
            isApproximate: true
        )
    }

    /// Grades one item by word overlap (never unknown).
    public func grade(_ request: GradingRequest) async -> Grade {
        let met = decide(criterion: request.item.criterion, points: request.item.points, response: request.response)
        return Grade(criteriaMet: met.met, explanation: met.explanation, attempts: 1)
    }

    /// The decision, synchronously (for tests and benchmarks).
    public func decide(criterion: String, points: Double, response: String) -> (met: Bool, explanation: String) {
        let responseWords = Set(Self.words(response))
        var text = criterion.lowercased()
        var absence = false
        for prefix in Self.absencePrefixes where text.hasPrefix(prefix) {
            absence = true
            text = String(text.dropFirst(prefix.count))
            break
        }
        let (core, examples) = Self.splitExamples(text)
        let coreWords = Array(Set(Self.words(core)))
        let exampleWords = Set(Self.words(examples))
        guard !coreWords.isEmpty else { return (false, "no content words in the criterion") }
        let found = coreWords.filter(responseWords.contains).count
        let share = Double(found) / Double(coreWords.count)
        let exampleFound = !exampleWords.isDisjoint(with: responseWords)
        let present: Bool
        if absence {
            present = share >= absenceThreshold || exampleFound
        } else if points < 0 {
            present = share >= negativeThreshold
        } else {
            present = share >= coreThreshold || (share >= exampleThreshold && exampleFound)
        }
        let met = absence ? !present : present
        let percent = Int((share * 100).rounded())
        return (
            met,
            "\(found)/\(coreWords.count) criterion words (\(percent)%) in the response"
                + (absence ? ", absence criterion" : "")
        )
    }

    private static let absencePrefixes = [
        "fails to ", "does not ", "doesn't ", "did not ", "omits ", "neglects to ", "lacks ", "misses ",
        "fails ", "no ",
    ]

    private static let exampleMarkers = [
        " such as ", " e.g.", " e.g ", " for example", " including ", " like ", "(", ":",
    ]

    private static func splitExamples(_ text: String) -> (core: String, examples: String) {
        var cut = text.endIndex
        for marker in exampleMarkers {
            if let range = text.range(of: marker), range.lowerBound < cut { cut = range.lowerBound }
        }
        return (String(text[..<cut]), String(text[cut...]))
    }

    /// Content words: lower-cased letter/digit runs, stop words removed, stemmed.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.filter { $0.count > 2 && !stopWords.contains($0) }.map(stem)
    }

    /// A crude suffix stemmer: enough to match "recommends"/"recommended"/"recommendation".
    static func stem(_ word: String) -> String {
        for suffix in [
            "ations", "ation", "ments", "ment", "ingly", "ings", "ing", "edly", "ies", "ied", "es", "ed", "ly", "s",
        ]
        where word.hasSuffix(suffix) && word.count - suffix.count >= 4 {
            return String(word.dropLast(suffix.count)).prefix(7).description
        }
        return String(word.prefix(7))
    }

    private static let stopWords: Set<String> = [
        "the", "and", "for", "with", "that", "this", "are", "was", "were", "will", "would", "should", "could",
        "can", "may", "might", "must", "has", "have", "had", "not", "but", "any", "all", "its", "their", "they",
        "them", "than", "then", "there", "these", "those", "such", "from", "into", "onto", "about", "also",
        "user", "user's", "users", "response", "responses", "assistant", "model", "states", "state", "mentions",
        "mention", "provides", "provide", "includes", "include", "including", "explains", "explain", "advises",
        "advise", "recommends", "recommend", "suggests", "suggest", "clearly", "appropriate", "appropriately",
        "specific", "specifically", "other", "more", "most", "some", "very", "what", "when", "which", "who",
        "how", "why", "does", "doing", "done", "being", "been", "who", "whom", "your", "you", "his", "her",
        "patient", "patients", "e.g", "etc", "via", "per", "one", "two", "based", "using", "use", "used",
        "without", "within", "while", "if", "of", "to", "in", "on", "at", "by", "or", "as", "is", "be", "it",
        "an", "a",
    ]
}
