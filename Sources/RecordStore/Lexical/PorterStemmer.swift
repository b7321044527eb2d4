/// The Porter stemming algorithm (M. F. Porter, 1980, with the `bli`→`ble` and `logi`→`log` changes
/// that SQLite's FTS5 `porter` tokenizer also makes), byte for byte as FTS5 applies it.
///
/// Full-text terms are stemmed here, in Swift, because the index holds keyed hashes of terms and
/// SQLite's own stemmer never sees the words.
package enum PorterStemmer {
    /// The stem of a folded word (see ``LexicalTokenizer/fold(_:)``). As in FTS5, words of fewer
    /// than 3 or more than 64 bytes come back unchanged, and any byte that is not a vowel (digits,
    /// non-ASCII letters) counts as a consonant.
    package static func stem(_ word: String) -> String {
        var w = Array(word.utf8)
        guard w.count > 2, w.count <= 64 else { return word }
        step1a(&w)
        step1b(&w)
        step1c(&w)
        step2(&w)
        step3(&w)
        step4(&w)
        step5(&w)
        return String(decoding: w, as: UTF8.self)
    }

    private static func isConsonant(_ w: [UInt8], _ i: Int) -> Bool {
        switch w[i] {
        case 97, 101, 105, 111, 117: return false  // a e i o u
        case 121: return i == 0 ? true : !isConsonant(w, i - 1)  // y
        default: return true
        }
    }

    /// m in [C](VC)^m[V] of the first `length` letters.
    private static func measure(_ w: [UInt8], _ length: Int) -> Int {
        var m = 0
        var i = 0
        while i < length && isConsonant(w, i) { i += 1 }
        while i < length {
            while i < length && !isConsonant(w, i) { i += 1 }
            guard i < length else { break }
            while i < length && isConsonant(w, i) { i += 1 }
            m += 1
        }
        return m
    }

    private static func hasVowel(_ w: [UInt8], _ length: Int) -> Bool {
        (0..<length).contains { !isConsonant(w, $0) }
    }

    private static func endsWithDoubleConsonant(_ w: [UInt8], _ length: Int) -> Bool {
        length >= 2 && w[length - 1] == w[length - 2] && isConsonant(w, length - 1)
    }

    /// *o: the first `length` letters end consonant-vowel-consonant, the last not w, x or y.
    private static func endsCVC(_ w: [UInt8], _ length: Int) -> Bool {
        guard length >= 3, isConsonant(w, length - 1), !isConsonant(w, length - 2), isConsonant(w, length - 3)
        else { return false }
        return ![119, 120, 121].contains(w[length - 1])
    }

    private static func ends(_ w: [UInt8], _ suffix: String) -> Bool {
        let s = Array(suffix.utf8)
        return w.count >= s.count && Array(w[(w.count - s.count)...]) == s
    }

    private static func replace(_ w: inout [UInt8], _ suffix: String, _ replacement: String) {
        w.removeLast(suffix.utf8.count)
        w.append(contentsOf: Array(replacement.utf8))
    }

    private static func step1a(_ w: inout [UInt8]) {
        if ends(w, "sses") {
            replace(&w, "sses", "ss")
        } else if ends(w, "ies") {
            replace(&w, "ies", "i")
        } else if ends(w, "ss") {
            return
        } else if ends(w, "s") {
            w.removeLast()
        }
    }

    private static func step1b(_ w: inout [UInt8]) {
        if ends(w, "eed") {
            if measure(w, w.count - 3) > 0 { w.removeLast() }
            return
        }
        var removed = false
        for suffix in ["ed", "ing"] where ends(w, suffix) {
            if hasVowel(w, w.count - suffix.utf8.count) {
                w.removeLast(suffix.utf8.count)
                removed = true
            }
            break
        }
        guard removed else { return }
        if ends(w, "at") || ends(w, "bl") || ends(w, "iz") {
            w.append(101)  // e
        } else if endsWithDoubleConsonant(w, w.count), ![108, 115, 122].contains(w[w.count - 1]) {
            w.removeLast()  // not l, s, z
        } else if measure(w, w.count) == 1 && endsCVC(w, w.count) {
            w.append(101)
        }
    }

    private static func step1c(_ w: inout [UInt8]) {
        if w.last == 121, hasVowel(w, w.count - 1) { w[w.count - 1] = 105 }  // y → i
    }

    /// Replaces the first listed suffix the word ends with when the stem's measure exceeds `minimum`;
    /// a matching suffix whose condition fails stops the step.
    private static func rule(_ w: inout [UInt8], _ pairs: [(String, String)], minimum: Int) {
        for (suffix, replacement) in pairs where ends(w, suffix) {
            if measure(w, w.count - suffix.utf8.count) > minimum { replace(&w, suffix, replacement) }
            return
        }
    }

    private static let step2Pairs: [(String, String)] = [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"),
        ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
        ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ]

    private static func step2(_ w: inout [UInt8]) {
        // Longest match first among suffixes that share an ending.
        let sorted = step2Pairs.sorted { $0.0.utf8.count > $1.0.utf8.count }
        rule(&w, sorted, minimum: 0)
    }

    private static let step3Pairs: [(String, String)] = [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
        ("ness", ""),
    ]

    private static func step3(_ w: inout [UInt8]) {
        rule(&w, step3Pairs, minimum: 0)
    }

    private static let step4Suffixes = [
        "ement", "ment", "ance", "ence", "able", "ible", "ant", "ent", "ism", "ate", "iti", "ous", "ive", "ize",
        "ion", "al", "er", "ic", "ou",
    ]

    private static func step4(_ w: inout [UInt8]) {
        for suffix in step4Suffixes where ends(w, suffix) {
            let length = w.count - suffix.utf8.count
            if measure(w, length) > 1 {
                if suffix == "ion" {
                    guard length > 0, w[length - 1] == 115 || w[length - 1] == 116 else { return }  // s or t
                }
                w.removeLast(suffix.utf8.count)
            }
            return
        }
    }

    private static func step5(_ w: inout [UInt8]) {
        if w.last == 101 {  // e
            let m = measure(w, w.count - 1)
            if m > 1 || (m == 1 && !endsCVC(w, w.count - 1)) { w.removeLast() }
        }
        if w.last == 108, endsWithDoubleConsonant(w, w.count), measure(w, w.count) > 1 { w.removeLast() }  // ll
    }
}
