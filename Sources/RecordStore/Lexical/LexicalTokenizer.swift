import Foundation

/// Turns text into the terms the full-text index holds: lower-cased, diacritics removed, split into
/// runs of letters and digits, each run stemmed (Porter) — what FTS5's
/// `porter unicode61 remove_diacritics 2` tokenizer does, done in Swift so that only keyed hashes
/// of the terms reach the database.
package enum LexicalTokenizer {
    /// Every term of a text, in order, repeats kept (BM25 counts them).
    package static func terms(of text: String) -> [String] {
        var terms: [String] = []
        for word in fold(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            terms.append(PorterStemmer.stem(String(word)))
        }
        return terms
    }

    /// The distinct index terms of a search query, stop words dropped (see ``LexicalQuery``).
    package static func queryTerms(of text: String) -> [String] {
        var seen: Set<String> = []
        var terms: [String] = []
        for word in LexicalQuery.terms(in: text) {
            for term in Self.terms(of: word) where seen.insert(term).inserted { terms.append(term) }
        }
        return terms
    }

    /// Lower case without combining marks (`é` → `e`, `Ä` → `a`).
    package static func fold(_ text: String) -> String {
        let lower = text.lowercased()
        guard !lower.utf8.allSatisfy({ $0 < 0x80 }) else { return lower }
        var scalars = String.UnicodeScalarView()
        for scalar in lower.decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
