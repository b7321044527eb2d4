/// Turns free text into FTS5 terms: lower-cased words, stop words dropped, no FTS syntax passed through.
public enum LexicalQuery {
    /// Words too common in questions to help ranking.
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "been", "by", "did", "do", "does", "for", "from", "had", "has",
        "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "so", "that", "the", "their",
        "there", "this", "to", "was", "were", "what", "when", "where", "which", "who", "why", "will", "with",
        "you", "your", "can", "could", "should", "would", "any", "all", "am",
        // Words of time and intent: the question's shape, not its topic.
        "last", "latest", "recent", "recently", "most", "current", "currently", "now", "ever", "since", "over",
        "time", "changed", "change", "show", "showed", "tell", "about", "get", "got", "ive", "im", "much", "many",
    ]

    /// The distinct search terms of a text, in order.
    public static func terms(in text: String) -> [String] {
        var seen: Set<String> = []
        var terms: [String] = []
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let term = String(word)
            guard !stopWords.contains(term), seen.insert(term).inserted else { continue }
            terms.append(term)
        }
        return terms
    }
}
