import Foundation

/// Literal text that every match of a regular expression contains, for skipping terms whose words
/// are absent from a message before running the expression.
///
/// Reading ~2,600 concept terms with ICU over a 150-word message took about 60 ms; most terms cannot
/// match most messages, and a substring search rules them out in microseconds. The anchors come from
/// the expression itself: every run of mandatory literal characters is contained in every match
/// (`\bneck (?:is )?stiff` → "neck " and "stiff"), as is one of the alternatives of a mandatory group
/// (`\b(?:stomach|tummy) ?ache` → "stomach" or "tummy"); a character class whose letters fold to one
/// letter reads as that letter (`\b[ée]tourdi` → "etourdi"). The anchor set kept is the one whose
/// shortest member is longest; each top-level alternative needs one. An expression with no literal
/// run of three characters or more (`\d{2} ?SA`) always runs. Text and anchors are compared
/// lowercased and without diacritics.
enum TermAnchors {
    /// Anchors shorter than this rule out too little to be worth it.
    static let minimumLength = 3

    /// The folded anchors of `pattern` (a match contains at least one), or nil when it must always run.
    static func anchors(of pattern: String) -> [String]? {
        guard let found = anchorSet(Array(pattern)) else { return nil }
        let folded = Set(found.map(fold))
        guard !folded.isEmpty, folded.allSatisfy({ $0.count >= minimumLength }) else { return nil }
        return folded.sorted()
    }

    /// `text` lowercased and without diacritics, as anchors are compared.
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Strings one of which every match of `pattern` contains, or nil when one alternative has none.
    private static func anchorSet(_ pattern: [Character]) -> [String]? {
        var union: [String] = []
        for alternative in split(pattern) {
            guard let found = anchorSet(ofSequence: alternative) else { return nil }
            union += found
        }
        return union.isEmpty ? nil : union
    }

    /// The best anchor set of one alternative: its mandatory literal runs and mandatory groups.
    private static func anchorSet(ofSequence pattern: [Character]) -> [String]? {
        var candidates: [[String]] = []
        var run = ""
        func close() {
            if !run.isEmpty { candidates.append([run]) }
            run = ""
        }
        var index = 0
        while index < pattern.count {
            let character = pattern[index]
            switch character {
            case "\\":
                guard let next = pattern[safe: index + 1] else {
                    index += 1
                    continue
                }
                if next == "b" || next == "B" {
                    index += 2  // zero-width: the run goes on
                    continue
                }
                if next.isLetter || next.isNumber {
                    close()  // \d, \w, \s: mandatory but not literal
                    index = afterQuantifier(pattern, index + 2)
                    continue
                }
                let step = literal(at: index + 1, in: pattern)
                if step.mandatory { run.append(next) }
                if step.endsRun { close() }
                index = step.next
            case "(":
                guard let end = groupEnd(pattern, from: index) else {
                    close()
                    index = pattern.count
                    continue
                }
                let body = Array(pattern[(index + 1)..<end])
                let lookaround = ["?<!", "?<=", "?!", "?="].contains { body.starts(with: Array($0)) }
                if lookaround {
                    index = end + 1  // zero-width
                    continue
                }
                close()
                var content = body
                if body.starts(with: ["?", ":"]) { content = Array(body.dropFirst(2)) }
                if body.starts(with: ["?", "-", "i", ":"]) { content = Array(body.dropFirst(4)) }
                if !isOptional(pattern, after: end), let found = anchorSet(content) { candidates.append(found) }
                index = afterQuantifier(pattern, end + 1)
            case "[":
                guard let end = classEnd(pattern, from: index) else {
                    close()
                    index = pattern.count
                    continue
                }
                let members = Set(pattern[(index + 1)..<end].map { fold(String($0)) })
                if members.count == 1, let only = members.first, pattern[index + 1] != "^",
                    !isOptional(pattern, after: end)
                {
                    run += only
                    if repeats(pattern, after: end) { close() }
                } else {
                    close()
                }
                index = afterQuantifier(pattern, end + 1)
            case ".", "^", "$", ")":
                close()
                index = afterQuantifier(pattern, index + 1)
            default:
                let step = literal(at: index, in: pattern)
                if step.mandatory { run.append(character) }
                if step.endsRun { close() }
                index = step.next
            }
        }
        close()
        var best: [String]?
        for candidate in candidates {
            let shortest = candidate.map(\.count).min() ?? 0
            if shortest > (best.map { $0.map(\.count).min() ?? 0 } ?? 0) { best = candidate }
        }
        return best
    }

    /// How a literal character whose element ends at `index` joins the run: whether it is mandatory
    /// (appended), whether the run must end after it (it may repeat) or before it (it is optional),
    /// and where the next element starts.
    private static func literal(
        at index: Int,
        in pattern: [Character]
    ) -> (mandatory: Bool, endsRun: Bool, next: Int) {
        let optional = isOptional(pattern, after: index)
        return (!optional, optional || repeats(pattern, after: index), afterQuantifier(pattern, index + 1))
    }

    /// Whether the element ending at `index` is followed by `+` or `{n` with n ≥ 1 (present, maybe more).
    private static func repeats(_ pattern: [Character], after index: Int) -> Bool {
        guard let next = pattern[safe: index + 1] else { return false }
        return next == "+" || (next == "{" && pattern[safe: index + 2] != "0")
    }

    /// The index after a quantifier starting at `index` (itself when there is none).
    private static func afterQuantifier(_ pattern: [Character], _ index: Int) -> Int {
        guard let first = pattern[safe: index] else { return index }
        var end = index
        if first == "?" || first == "*" || first == "+" {
            end = index + 1
        } else if first == "{", let close = pattern[index...].firstIndex(of: "}") {
            end = close + 1
        } else {
            return index
        }
        if let lazy = pattern[safe: end], lazy == "?" || lazy == "+" { end += 1 }
        return end
    }

    /// `pattern` split at its top-level `|`.
    private static func split(_ pattern: [Character]) -> [[Character]] {
        var parts: [[Character]] = [[]]
        var depth = 0
        var index = 0
        while index < pattern.count {
            let character = pattern[index]
            if character == "\\", index + 1 < pattern.count {
                parts[parts.count - 1] += [character, pattern[index + 1]]
                index += 2
                continue
            }
            if character == "[", let end = classEnd(pattern, from: index) {
                parts[parts.count - 1] += pattern[index...end]
                index = end + 1
                continue
            }
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == "|", depth == 0 {
                parts.append([])
            } else {
                parts[parts.count - 1].append(character)
            }
            index += 1
        }
        return parts
    }

    /// Whether the element ending at `index` is followed by `?`, `*` or `{0`.
    private static func isOptional(_ pattern: [Character], after index: Int) -> Bool {
        guard let next = pattern[safe: index + 1] else { return false }
        if next == "?" || next == "*" { return true }
        return next == "{" && pattern[safe: index + 2] == "0"
    }

    /// The index of the `)` closing the group opened at `start`.
    private static func groupEnd(_ pattern: [Character], from start: Int) -> Int? {
        var depth = 0
        var index = start
        while index < pattern.count {
            switch pattern[index] {
            case "\\": index += 1
            case "[": index = classEnd(pattern, from: index) ?? index
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index += 1
        }
        return nil
    }

    /// The index of the `]` closing the class opened at `start`.
    private static func classEnd(_ pattern: [Character], from start: Int) -> Int? {
        var index = start + 1
        if pattern[safe: index] == "^" { index += 1 }
        if pattern[safe: index] == "]" { index += 1 }
        while index < pattern.count {
            if pattern[index] == "\\" {
                index += 2
                continue
            }
            if pattern[index] == "]" { return index }
            index += 1
        }
        return nil
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
