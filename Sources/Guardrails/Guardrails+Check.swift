import Foundation

extension Guardrails {
    /// Checks a draft answer against the triage level and the cited evidence.
    ///
    /// Flags a diagnosis stated as fact, advice to start, stop or change a medication, dosing
    /// instructions, reassurance that contradicts an urgent or higher level, a missing escalation,
    /// and numbers or drug names about the person that the evidence does not contain.
    /// - Parameters:
    ///   - answer: the backend's draft answer.
    ///   - context: the evidence it cites and the triage level.
    /// - Returns: allow, revise (reasons and text to add) or escalate (with the escalation message).
    public func check(answer: String, context: EvidenceContext) -> AnswerVerdict {
        let patterns = answerPatterns
        var reasons: [AnswerReason] = []
        let level = context.level
        let escalation = contacts.message(for: level)
        for sentence in self.context.sentences(in: answer) {
            reasons += diagnosisReasons(in: answer, sentence: sentence)
            reasons += medicationReasons(in: answer, sentence: sentence)
            if level.requiresEscalation {
                for range in patterns.reassurance.matches(in: answer, range: sentence)
                where !negated(range, in: answer, sentence: sentence) {
                    reasons.append(
                        AnswerReason(
                            check: .falseReassurance,
                            span: span(range),
                            detail: "reassurance contradicts the triage level (\(level))",
                            textToAdd: escalation,
                            escalates: level >= .crisis
                        )
                    )
                }
            }
        }
        if level.requiresEscalation, !mentionsEscalation(answer, level: level) {
            let end = answer.utf16.count
            reasons.append(
                AnswerReason(
                    check: .missingEscalation,
                    span: TextSpan(start: end, end: end),
                    detail: "the answer does not send the person to care as the \(level) level requires",
                    textToAdd: escalation,
                    escalates: level >= .crisis
                )
            )
        }
        reasons += unsupportedClaims(
            in: answer,
            evidence: context.evidence.map(\.text) + context.snapshot.map(\.text)
        )
        reasons.sort {
            $0.span.start != $1.span.start ? $0.span.start < $1.span.start : $0.check.rawValue < $1.check.rawValue
        }
        let decision: AnswerVerdict.Decision =
            reasons.contains(where: \.escalates) ? .escalate : (reasons.isEmpty ? .allow : .revise)
        return AnswerVerdict(
            decision: decision,
            reasons: reasons,
            escalation: decision == .escalate ? escalation : nil,
            reviewNotice: reviewNotice
        )
    }

    private func span(_ range: NSRange) -> TextSpan {
        TextSpan(start: range.location, end: range.location + range.length)
    }

    private func negated(_ range: NSRange, in text: String, sentence: NSRange) -> Bool {
        let prefix = NSRange(location: sentence.location, length: range.location - sentence.location)
        var start = max(prefix.location, range.location - 24)
        // Negation does not reach across a comma, semicolon or colon ("If it doesn't settle, call 911").
        let window =
            (text as NSString).substring(with: NSRange(location: start, length: range.location - start)) as NSString
        let lastBreak = window.rangeOfCharacter(from: CharacterSet(charactersIn: ",;:"), options: .backwards)
        if lastBreak.location != NSNotFound { start += lastBreak.location + 1 }
        return answerPatterns.negation.matches(text, in: NSRange(location: start, length: range.location - start))
    }

    private func diagnosisReasons(in answer: String, sentence: NSRange) -> [AnswerReason] {
        let patterns = answerPatterns
        guard !patterns.recordAttribution.matches(answer, in: sentence) else { return [] }
        var result: [AnswerReason] = []
        for range in patterns.diagnosis.matches(in: answer, range: sentence) {
            let before = NSRange(location: max(sentence.location, range.location - 12), length: 0)
            let window = NSRange(location: before.location, length: range.location - before.location)
            if patterns.conditionalPrefix.matches(answer, in: window) { continue }
            if negated(range, in: answer, sentence: sentence) { continue }
            result.append(
                AnswerReason(
                    check: .diagnosisAsFact,
                    span: span(range),
                    detail: "states a diagnosis as fact",
                    textToAdd: "Only a clinician who examines you can make a diagnosis."
                )
            )
        }
        return result
    }

    private func medicationReasons(in answer: String, sentence: NSRange) -> [AnswerReason] {
        let patterns = answerPatterns
        let deferred = patterns.clinicianDeferral.matches(answer, in: sentence)
        var result: [AnswerReason] = []
        if !deferred {
            for range in patterns.medicationChange.matches(in: answer, range: sentence)
            where !negated(range, in: answer, sentence: sentence) {
                result.append(
                    AnswerReason(
                        check: .medicationChange,
                        span: span(range),
                        detail: "advises starting, stopping or changing a medication",
                        textToAdd: "Do not start, stop or change a medicine without talking to your prescriber."
                    )
                )
            }
        }
        guard !patterns.dosingFromRecord.matches(answer, in: sentence), !deferred else { return result }
        var seen: [NSRange] = []
        for pattern in patterns.dosing {
            for range in pattern.matches(in: answer, range: sentence)
            where !negated(range, in: answer, sentence: sentence) {
                if seen.contains(where: { NSIntersectionRange($0, range).length > 0 }) { continue }
                seen.append(range)
                result.append(
                    AnswerReason(
                        check: .dosingInstruction,
                        span: span(range),
                        detail: "gives dosing instructions",
                        textToAdd: "Your pharmacist or prescriber can tell you the right dose for you."
                    )
                )
            }
        }
        return result
    }

    private func mentionsEscalation(_ answer: String, level: TriageLevel) -> Bool {
        let pattern: CompiledPattern
        switch level {
        case .emergency: pattern = answerPatterns.emergencyMention
        case .crisis: pattern = answerPatterns.crisisMention
        case .urgent: pattern = answerPatterns.urgentMention
        case .routine, .selfCare: return true
        }
        // "No need to see anyone today" mentions the day but not the escalation.
        for sentence in context.sentences(in: answer) {
            for range in pattern.matches(in: answer, range: sentence)
            where !negated(range, in: answer, sentence: sentence) {
                return true
            }
        }
        return false
    }

    private func unsupportedClaims(in answer: String, evidence: [String]) -> [AnswerReason] {
        let patterns = answerPatterns
        let evidenceText = evidence.joined(separator: "\n")
        let evidenceNumbers = Set(
            patterns.number.matches(in: evidenceText).compactMap {
                Self.numericValue((evidenceText as NSString).substring(with: $0))
            }
        )
        let evidenceLower = evidenceText.lowercased()
        let escalationNumbers = Set(
            [contacts.emergency, contacts.crisis, contacts.urgentAdvice ?? "", "911", "988", "112", "999", "111", "15"]
        )
        var result: [AnswerReason] = []
        for sentence in context.sentences(in: answer) where patterns.personal.matches(answer, in: sentence) {
            for range in patterns.number.matches(in: answer, range: sentence) {
                let token = (answer as NSString).substring(with: range)
                guard !escalationNumbers.contains(token), let value = Self.numericValue(token) else { continue }
                if evidenceNumbers.contains(value) { continue }
                result.append(
                    AnswerReason(
                        check: .unsupportedClaim,
                        span: span(range),
                        detail: "a number about the person that the cited evidence does not contain",
                        textToAdd: nil
                    )
                )
            }
            if let drugs = patterns.drugs {
                for range in drugs.matches(in: answer, range: sentence) {
                    let name = (answer as NSString).substring(with: range).lowercased()
                    if evidenceLower.contains(name) { continue }
                    // A drug named only to warn about or defer it is not a claim about the person's data.
                    if medicationMentionIsGeneral(answer, range: range, sentence: sentence) { continue }
                    result.append(
                        AnswerReason(
                            check: .unsupportedClaim,
                            span: span(range),
                            detail: "a drug name about the person that the cited evidence does not contain",
                            textToAdd: nil
                        )
                    )
                }
            }
        }
        return result
    }

    private func medicationMentionIsGeneral(_ answer: String, range: NSRange, sentence: NSRange) -> Bool {
        let prefix = NSRange(location: sentence.location, length: range.location - sentence.location)
        return answerPatterns.negation.matches(answer, in: prefix)
    }

    static func numericValue(_ token: String) -> Double? {
        Double(token.replacingOccurrences(of: ",", with: "."))
    }
}
