import Foundation

/// Why a pattern match did not count.
public enum MatchModifier: String, Hashable, Sendable, Codable {
    /// Negated in its clause ("no chest pain", "denies", "sin dolor", "pas de douleur").
    case negated
    /// About the past and not about now ("last year", "in 2019", "my father had").
    case past
    /// A hypothetical or a request for information ("what are the signs of a stroke?").
    case hypothetical
}

/// Decides whether a match in a message is negated, in the past or hypothetical.
///
/// Scope is lexical: negation looks back within the match's clause (clauses end at punctuation and
/// at "and", "but", "pero", "y", "mais", "et"); time within the clause; hypotheticals and information
/// questions within the sentence, before the match. A cue for "now" ("since this morning", "right
/// now", "depuis", "desde") overrides past and hypothetical cues.
struct MatchContext: Sendable {
    private let clauseBreak: CompiledPattern
    private let sentenceBreak: CompiledPattern
    private let negation: CompiledPattern
    private let pastCue: CompiledPattern
    private let pastVerb: CompiledPattern
    private let presentCue: CompiledPattern
    private let hypotheticalCue: CompiledPattern
    private let definitionCue: CompiledPattern
    private let clauseSplit: CompiledPattern

    init() {
        // These are fixed expressions written and tested with the module; they compile.
        func make(_ source: String) -> CompiledPattern {
            do { return try CompiledPattern(source, location: "MatchContext") } catch { fatalError("\(error)") }
        }
        clauseBreak = make(
            #"[.!?;:]+(?!\d)|\n+|,(?!\d)|\b(?:but|and|however|although|though|pero|y|aunque|mais|et|cependant)\b"#
        )
        sentenceBreak = make(#"[.!?;]+(?!\d)|\n+"#)
        clauseSplit = make(#"[,;:]+(?!\d)|\s(?=(?:but|so|then|pero|mais|puis|luego|entonces)\b)"#)
        negation = make(
            #"\b(?:no(?! sé| se | idea| puedo)|not(?! sure| only| just| certain)|never|without|denies|deny|denied|negative for|free of|none|nothing(?! (?:helps|works|is helping|has helped|eases|touches))|nor|neither|ni|sin|nunca|ningún|ninguna|pas(?! sûr| sure)|aucun|aucune|jamais|sans|ne(?! sais)|n'(?!arrive|ai pas l'impression))\b|n't\b(?! know| think| breathe| stop| move| talk| speak| see| wake| keep| swallow| lift)|\bn'(?=\w)(?!arrive)"#
        )
        pastCue = make(
            #"\b(?:last|this past) (?:year|month|summer|winter|spring|fall|autumn|decade)\b|\b(?:years?|months?|weeks?|decades?) ago\b|\b(?:in|since) (?:19|20)\d\d\b|\bback in\b|\bas a (?:kid|child|teen|teenager|baby)\b|\bwhen (?:i|he|she|they) was\b|\bwhen (?:i|he|she|they) were\b|\bused to\b|\bhistory of\b|\bpreviously\b|\bin the past\b|\bhace (?:\w+ )?(?:años|meses|semanas|año|mes)\b|\bel año pasado\b|\bl'(?:an|année) derni|\bil y a (?:\w+ )?(?:ans|an|mois|semaines)\b|\ben (?:19|20)\d\d\b|\bantecedentes?\b|\bantécédents?\b|\bhad (?:a|an|his|her|my) .{0,30}\b(?:when|at age|at \d+)"#
        )
        pastVerb = make(
            #"(?<!'ve |have |has |'s |'d )\b(?:had|died|passed away|suffered|survived|was diagnosed|were diagnosed|tuvo|tuve|murió|sufrió|a eu|ai eu|avait|est mort|est décédé|est morte|est décédée)\b"#
        )
        presentCue = make(
            #"\b(?:right now|now|currently|at the moment|still|since|this morning|this afternoon|this evening|tonight|today|just|started|starting|suddenly|all of a sudden|keeps?|(?:\d+|a|an|few|couple of|some) (?:minutes?|hours?) ago|last night|yesterday|for the (?:last|past) (?:hour|\d+ hours|few hours|\d+ minutes)|ahora|ahorita|desde|hoy|esta mañana|esta noche|de repente|todavía|maintenant|depuis|aujourd'hui|ce matin|ce soir|cette nuit|soudain|soudainement|en ce moment|encore)\b"#
        )
        // "what is sepsis?": a definition question right before the match.
        definitionCue = make(
            #"\b(?:what(?:'s| is| are)|define|explain|meaning of|tell me about|qu'est-ce que|qu'est-ce qu'|qu[eé] es) (?:an? |the |la |le |une? |el |l')?\s*$"#
        )
        hypotheticalCue = make(
            #"\bwhat (?:kind|sort|type)s? of\b|\b(?:what|which)(?:'s| are| is) (?:the |some )?(?:\w+ )?(?:signs?|symptoms?|causes?|risk factors?|difference|treatment|side effects?)\b|\b(?:signs?|symptoms?|warning signs?|causes?) of\b|\bhow (?:do|can|would|could|should|does) (?:i|you|we|one|someone|people|a person|doctors?) (?:know|tell|recognize|recognise|spot|identify|treat|prevent|diagnose)\b|\bwhat (?:does|do) .{0,40}\b(?:mean|look like|feel like)\b|\bwhat (?:causes|happens if|to do if|should (?:i|we|you|someone) do if|if)\b|\bwhat would happen\b|\bif (?:i|you|someone|somebody|a person|my \w+|your \w+|he|she|they|a child|a baby) (?:ever |were |was |had |has |have |gets? |got |starts? |develops? |experiences? )|\bin case\b|\bhypothetically\b|\bfor (?:a|my|an) (?:class|essay|exam|school|course|homework|project|quiz|presentation|article|novel|story)\b|\b(?:is|are) .{0,30}\b(?:a sign|a symptom|signs|symptoms) of\b|\bcan .{1,40}\bcause\b|\bcu[aá]les son (?:los |las )?(?:s[ií]ntomas|signos|se[nñ]ales)\b|\b(?:s[ií]ntomas|signos|se[nñ]ales) de\b|\bc[oó]mo (?:s[eé]|saber|reconocer)\b|\bqu[eé] (?:es|son|significa)\b|\bsi alguien\b|\bquels sont les (?:signes|sympt[oô]mes)\b|\b(?:signes|sympt[oô]mes) d[eu']|\bcomment (?:savoir|reconna[iî]tre)\b|\bqu'est-ce que\b|\bsi quelqu'un\b|\b(?:counts? as|is considered|classed as)\b|\bwhen (?:should|do|does|to) (?:i|you|we|one|someone|a person|parents) (?:worry|see|call|go|seek)\b"#
        )
    }

    /// A text with its clause and sentence breaks found once, for reading many matches in it.
    struct Frame {
        let text: String
        let clauseBreaks: [NSRange]
        let sentenceBreaks: [NSRange]
    }

    /// `text` with its breaks, for ``modifier(of:in:ignoringOwnWords:)``.
    func frame(_ text: String) -> Frame {
        Frame(text: text, clauseBreaks: clauseBreak.matches(in: text), sentenceBreaks: sentenceBreak.matches(in: text))
    }

    /// Whether the match at `range` in the framed text is negated, past or hypothetical (nil when it counts).
    ///
    /// With `ignoringOwnWords`, past and hypothetical cues are looked for around the match but not in
    /// its own words: a concept's term says what it means ("everyone would be better off if I was gone",
    /// "I've never had a headache like this"), and its "if" or "had" does not make it hypothetical or past.
    func modifier(of range: NSRange, in frame: Frame, ignoringOwnWords: Bool = false) -> MatchModifier? {
        let text = frame.text
        let clause = Self.enclosing(range, in: text, breaks: frame.clauseBreaks)
        let sentence = Self.enclosing(range, in: text, breaks: frame.sentenceBreaks)
        let clausePrefix = NSRange(location: clause.location, length: range.location - clause.location)
        let sentencePrefix = NSRange(location: sentence.location, length: range.location - sentence.location)
        if negation.matches(text, in: clausePrefix) { return .negated }
        // A pattern that spans clauses ("stiff neck …, no fever"): the clause it ends in counts too.
        let endClause = Self.enclosing(
            NSRange(location: range.location + range.length - 1, length: 1),
            in: text,
            breaks: frame.clauseBreaks
        )
        if endClause.location > range.location {
            // Up to the match's last word: "…, no fever" is negated, "passed out and won't" is not.
            let matched = (text as NSString).substring(with: range) as NSString
            let lastSpace = matched.rangeOfCharacter(from: .whitespaces, options: .backwards)
            let lastWord = lastSpace.location == NSNotFound ? range.location : range.location + lastSpace.location
            if lastWord > endClause.location {
                let endPrefix = NSRange(location: endClause.location, length: lastWord - endClause.location)
                if negation.matches(text, in: endPrefix) { return .negated }
            }
        }
        if definitionCue.matches(text, in: sentencePrefix) { return .hypothetical }
        let isNow = presentCue.matches(text, in: clause)
        // A cue counts unless (ignoring own words) it lies wholly inside the match.
        func cue(_ pattern: CompiledPattern, in scope: NSRange) -> Bool {
            guard ignoringOwnWords else { return pattern.matches(text, in: scope) }
            guard scope.length > 0 else { return false }
            return pattern.matches(in: text, range: scope).contains { found in
                found.location < range.location || found.location + found.length > range.location + range.length
            }
        }
        if !isNow && (cue(pastCue, in: clause) || cue(pastVerb, in: clause)) { return .past }
        let sentenceIsNow = presentCue.matches(text, in: sentence)
        if !sentenceIsNow && hypotheticalCue.matches(text, in: sentencePrefix) { return .hypothetical }
        if !sentenceIsNow && cue(hypotheticalCue, in: clause) { return .hypothetical }
        return nil
    }

    /// `text` with typographic apostrophes (’ ‘) read as `'`, so "can’t" and "don’t" match as typed on a
    /// keyboard; UTF-16 offsets are unchanged.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{2019}", with: "'").replacingOccurrences(of: "\u{2018}", with: "'")
    }

    /// Whether a whole sentence (an exemplar match) is negated, past or hypothetical.
    ///
    /// `exemplarIsNegative` says whether the matched exemplar itself is worded with a negation
    /// ("I can't breathe"), in which case negation cues in the sentence do not count.
    func modifier(ofSentence sentence: String, exemplarIsNegative: Bool) -> MatchModifier? {
        let whole = NSRange(location: 0, length: sentence.utf16.count)
        if !exemplarIsNegative && negation.matches(sentence, in: whole) { return .negated }
        let isNow = presentCue.matches(sentence, in: whole)
        if !isNow && (pastCue.matches(sentence, in: whole) || pastVerb.matches(sentence, in: whole)) { return .past }
        if !isNow && hypotheticalCue.matches(sentence, in: whole) { return .hypothetical }
        return nil
    }

    /// Whether `text` contains a negation cue.
    func isNegative(_ text: String) -> Bool {
        negation.matches(text, in: NSRange(location: 0, length: text.utf16.count))
    }

    /// The sentences of `text`, as UTF-16 ranges (without their closing punctuation).
    func sentences(in text: String) -> [NSRange] {
        terminatedSentences(in: text).map(\.sentence)
    }

    /// The sentences of `text` as ``sentences(in:)`` finds them, each also with its closing
    /// punctuation (`"What was my last A1c?"`, not `"What was my last A1c"`), which is how a whole
    /// one-sentence message reads, so that a sentence that is the whole message embeds as the message.
    func terminatedSentences(in text: String) -> [(sentence: NSRange, terminated: NSRange)] {
        var result: [(sentence: NSRange, terminated: NSRange)] = []
        var start = 0
        for separator in sentenceBreak.matches(in: text) {
            if separator.location > start {
                let sentence = NSRange(location: start, length: separator.location - start)
                let isNewline = (text as NSString).character(at: separator.location) == 0x0A
                let terminated =
                    isNewline ? sentence : NSRange(location: start, length: sentence.length + separator.length)
                result.append((sentence, terminated))
            }
            start = separator.location + separator.length
        }
        let length = text.utf16.count
        if length > start {
            let sentence = NSRange(location: start, length: length - start)
            result.append((sentence, sentence))
        }
        return result
    }

    /// Sentences longer than this many words are also compared clause by clause.
    static let longSentenceWords = 24

    /// What the exemplar net compares: each sentence with its closing punctuation, and for a sentence
    /// of more than ``longSentenceWords`` words also its clauses (split at `,` `;` `:` and before "but",
    /// "so", "then"; a clause of fewer than 4 words joins the next), so that one red flag in a long
    /// run-on sentence is not pooled away among the rest. Each unit is the range compared and the text
    /// embedded (trimmed).
    func exemplarUnits(in text: String) -> [(range: NSRange, text: String)] {
        let nsText = text as NSString
        func unit(_ range: NSRange) -> (range: NSRange, text: String) {
            (range, nsText.substring(with: range).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var result: [(range: NSRange, text: String)] = []
        for found in terminatedSentences(in: text) {
            result.append(unit(found.terminated))
            let sentence = nsText.substring(with: found.sentence)
            guard sentence.split(whereSeparator: \.isWhitespace).count > Self.longSentenceWords else { continue }
            var start = found.sentence.location
            let end = found.sentence.location + found.sentence.length
            for separator in clauseSplit.matches(in: text, range: found.sentence) {
                let piece = NSRange(location: start, length: separator.location - start)
                let words = nsText.substring(with: piece).split(whereSeparator: \.isWhitespace).count
                guard words >= 4 else { continue }
                result.append(unit(piece))
                start = separator.location + separator.length
            }
            if start > found.sentence.location, end > start {
                let rest = NSRange(location: start, length: end - start)
                if nsText.substring(with: rest).split(whereSeparator: \.isWhitespace).count >= 2 {
                    result.append(unit(rest))
                }
            }
        }
        return result
    }

    private static func enclosing(_ range: NSRange, in text: String, breaks: [NSRange]) -> NSRange {
        var start = 0
        var end = text.utf16.count
        for separator in breaks {
            let separatorEnd = separator.location + separator.length
            if separatorEnd <= range.location {
                start = separatorEnd
            } else if separator.location >= range.location + range.length {
                end = separator.location
                break
            }
        }
        return NSRange(location: start, length: max(0, end - start))
    }
}
