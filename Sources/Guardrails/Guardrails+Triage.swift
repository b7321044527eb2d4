public import Foundation
public import HealthRecords
import TextEmbedding

extension Guardrails {
    /// Triages a conversation, with the person's records.
    ///
    /// Every user turn counts: an emergency stated earlier is not forgotten when the person pushes
    /// back later. Patterns are the first net, exemplar similarity (when an embedder is configured
    /// and calibrated) the second; matches that are negated, in the past or hypothetical do not count.
    /// Record rules fire on critical recent values; record cautions fire when the message touches the
    /// record (anticoagulants and a fall, pregnancy and a medicine, …).
    /// - Parameters:
    ///   - conversation: the turns so far, oldest first.
    ///   - records: the person's records (may be empty).
    ///   - now: the date that "recent" is measured from.
    ///   - knownEmbeddings: vectors the caller already has from the configured embedder, by text
    ///     trimmed of surrounding whitespace (a caller that embedded the question for retrieval passes
    ///     it here); a sentence found here, read with its closing punctuation, is not embedded again.
    /// - Returns: the level, the rules that fired with their evidence, and the escalation message.
    public func triage(
        conversation: [ConversationTurn],
        records: [ClinicalRecord] = [],
        now: Date = Date(),
        knownEmbeddings: [String: [Float]] = [:]
    ) -> TriageVerdict {
        triage(
            conversation: conversation,
            prepared: prepare(records: records),
            now: now,
            knownEmbeddings: knownEmbeddings
        )
    }

    /// Triages a conversation against records prepared once with ``prepare(records:)``: the same
    /// verdict as ``triage(conversation:records:now:knownEmbeddings:)`` with those records, without
    /// reading every record again. Records prepared for other rules are prepared again.
    public func triage(
        conversation: [ConversationTurn],
        prepared: PreparedRecords,
        now: Date = Date(),
        knownEmbeddings: [String: [Float]] = [:]
    ) -> TriageVerdict {
        var fired: [FiredRule] = []
        var ignored: [IgnoredMatch] = []
        var findings: [ConceptFinding] = []
        var touchedTopics: [Int: Bool] = [:]
        let knownEmbeddings = sentenceVectors(of: conversation, known: knownEmbeddings)
        for (turnIndex, turn) in conversation.enumerated() where turn.role == .user {
            let text = MatchContext.normalized(turn.text)
            // The turn's clause and sentence breaks, found once for every match read in it.
            let frame = context.frame(text)
            var firedHere = Set<Int>()
            for (ruleIndex, compiledRule) in compiled.enumerated() where compiledRule.rule.kind == .messageTriage {
                for pattern in compiledRule.patterns {
                    for range in pattern.matches(in: text) {
                        let span = TextSpan(start: range.location, end: range.location + range.length)
                        if let modifier = context.modifier(of: range, in: frame) {
                            ignored.append(
                                IgnoredMatch(
                                    ruleID: compiledRule.rule.id,
                                    turn: turnIndex,
                                    span: span,
                                    modifier: modifier
                                )
                            )
                        } else if firedHere.insert(ruleIndex).inserted {
                            fired.append(firing(compiledRule, source: .pattern, turn: turnIndex, span: span))
                        }
                    }
                }
            }
            fired += exemplarFirings(in: text, turn: turnIndex, skipping: firedHere, known: knownEmbeddings)
            findings += concepts.findings(in: frame, turn: turnIndex, context: context)
            for (ruleIndex, compiledRule) in compiled.enumerated() where compiledRule.rule.kind == .recordCaution {
                for topic in compiledRule.topics {
                    for range in topic.matches(in: text) where context.modifier(of: range, in: frame) == nil {
                        touchedTopics[ruleIndex] = true
                    }
                }
            }
        }
        let presence = concepts.presence(of: findings)
        let placed = conceptFirings(presence: presence, into: &fired)
        fired += recordFirings(prepared: prepared, now: now, touchedTopics: Set(touchedTopics.keys))
        return verdict(fired: fired, ignored: ignored, findings: findings, presence: presence, placed: placed)
    }

    /// Fires each message rule one of whose concept conditions holds (once, and not again when a
    /// pattern or exemplar fired it), and returns the concepts that the holding conditions rest on:
    /// the symptoms the rules place.
    private func conceptFirings(presence: ConceptPresence, into fired: inout [FiredRule]) -> Set<Int> {
        var placed = Set<Int>()
        guard !presence.direct.isEmpty else { return placed }
        for (ruleIndex, ruleConditions) in conditions.enumerated() where !ruleConditions.isEmpty {
            var firstHolding: [Int]?
            for condition in ruleConditions {
                guard let used = concepts.satisfied(condition, by: presence) else { continue }
                placed.formUnion(used)
                if firstHolding == nil { firstHolding = used }
            }
            let compiledRule = compiled[ruleIndex]
            guard let used = firstHolding, !fired.contains(where: { $0.ruleID == compiledRule.rule.id }) else {
                continue
            }
            let evidence = used.lazy.compactMap { presence.evidence[$0] }.first
            fired.append(
                firing(
                    compiledRule,
                    source: .concepts,
                    turn: evidence?.turn,
                    span: evidence?.span,
                    concepts: used.map { concepts.concept($0).id }
                )
            )
        }
        return placed
    }

    /// Triages one message.
    public func triage(message: String, records: [ClinicalRecord] = [], now: Date = Date()) -> TriageVerdict {
        triage(conversation: [.user(message)], records: records, now: now)
    }

    func firing(
        _ compiledRule: CompiledRule,
        source: FiringSource,
        turn: Int? = nil,
        span: TextSpan? = nil,
        similarity: Double? = nil,
        recordID: RecordID? = nil,
        concepts: [String]? = nil
    ) -> FiredRule {
        FiredRule(
            ruleID: compiledRule.rule.id,
            ruleVersion: compiledRule.rule.version,
            level: compiledRule.rule.level,
            source: source,
            turn: turn,
            span: span,
            similarity: similarity,
            recordID: recordID,
            concepts: concepts,
            reviewStatus: compiledRule.reviewStatus
        )
    }

    /// `known` plus the vectors of the user turns' sentences it lacks, made in one call to the embedder
    /// (one pass of the model's weights for the whole conversation); `known` alone when the exemplar
    /// net is off or the embedder fails (each turn then tries again on its own).
    private func sentenceVectors(of conversation: [ConversationTurn], known: [String: [Float]]) -> [String: [Float]] {
        guard let embedder = configuration.embedder, similarityThreshold != nil, !exemplars.isEmpty else {
            return known
        }
        var missing: [String] = []
        var seen = Set(known.keys)
        for turn in conversation where turn.role == .user {
            for unit in context.exemplarUnits(in: MatchContext.normalized(turn.text))
            where seen.insert(unit.text).inserted {
                missing.append(unit.text)
            }
        }
        guard !missing.isEmpty, let fresh = try? embedder.embed(missing) else { return known }
        return known.merging(zip(missing, fresh)) { first, _ in first }
    }

    private func exemplarFirings(
        in text: String,
        turn: Int,
        skipping: Set<Int>,
        known: [String: [Float]]
    ) -> [FiredRule] {
        guard configuration.embedder != nil, let threshold = similarityThreshold, !exemplars.isEmpty else {
            return []
        }
        // Each sentence is embedded with its closing punctuation, as the whole message would be, and a
        // long sentence's clauses too. The conversation's units are usually in `known` already; a turn
        // whose vectors are not (the conversation's call failed) tries on its own, and fires nothing if
        // that fails too.
        let units = context.exemplarUnits(in: text)
        let embeddedTexts = units.map(\.text)
        let embedded =
            embeddedTexts.allSatisfy { known[$0] != nil } ? known : sentenceVectors(of: [.user(text)], known: known)
        let vectors = embeddedTexts.compactMap { embedded[$0] }
        guard vectors.count == embeddedTexts.count else { return [] }
        var best: [Int: (similarity: Double, unit: Int, exemplar: Exemplar)] = [:]
        for (unitIndex, vector) in vectors.enumerated() {
            for exemplar in exemplars where !skipping.contains(exemplar.ruleIndex) {
                let similarity = Double(Self.dot(vector, exemplar.vector))
                if similarity >= threshold, similarity > (best[exemplar.ruleIndex]?.similarity ?? -1) {
                    best[exemplar.ruleIndex] = (similarity, unitIndex, exemplar)
                }
            }
        }
        var result: [FiredRule] = []
        for (ruleIndex, match) in best.sorted(by: { $0.key < $1.key }) {
            let modifier = context.modifier(
                ofSentence: embeddedTexts[match.unit],
                exemplarIsNegative: match.exemplar.isNegative
            )
            if let modifier, modifier != match.exemplar.ownModifier { continue }
            let range = units[match.unit].range
            result.append(
                firing(
                    compiled[ruleIndex],
                    source: .exemplar,
                    turn: turn,
                    span: TextSpan(start: range.location, end: range.location + range.length),
                    similarity: match.similarity
                )
            )
        }
        return result
    }

    static func dot(_ lhs: [Float], _ rhs: [Float]) -> Float {
        var sum: Float = 0
        for index in 0..<min(lhs.count, rhs.count) { sum += lhs[index] * rhs[index] }
        return sum
    }

    /// The safe default's level for these unplaced concepts: the red-flag level when an unplaced problem
    /// comes with a red flag (a sign, a modifier such as "sudden", or a vulnerable person such as a young
    /// infant), or when an unplaced red flag is itself a problem (a sign, a mental state); else the level.
    private func safeDefaultLevel(unplaced: [Int], presence: ConceptPresence) -> TriageLevel {
        let safeDefault = rules.safeDefault
        let isRedFlag = { (index: Int) in concepts.concept(index).redFlag == true }
        let problemWithRedFlag =
            unplaced.contains { concepts.concept($0).kind.describesProblem }
            && presence.evidence.keys.contains(where: isRedFlag)
        let redFlagSign = unplaced.contains { isRedFlag($0) && concepts.concept($0).kind.describesProblem }
        return problemWithRedFlag || redFlagSign ? safeDefault.redFlagLevel : safeDefault.level
    }

    private func verdict(
        fired: [FiredRule],
        ignored: [IgnoredMatch],
        findings: [ConceptFinding],
        presence: ConceptPresence,
        placed: Set<Int>
    ) -> TriageVerdict {
        var level = fired.map(\.level).max() ?? .selfCare
        // A crisis (self-harm) gets the crisis line first; its message also names emergency services.
        if fired.contains(where: { $0.level == .crisis }) { level = .crisis }
        // The safe default: a current problem that no rule places, or a red flag, is never self-care.
        let unplaced = concepts.unplaced(in: presence, findings: findings, placed: placed)
        let unplacedNames = unplaced.map { concepts.concept($0).id }
        let basis: TriageBasis
        let defaultLevel = safeDefaultLevel(unplaced: unplaced, presence: presence)
        if !unplaced.isEmpty, level < defaultLevel {
            level = defaultLevel
            basis = .safeDefault
        } else if level > .selfCare {
            basis = .rules
        } else if fired.contains(where: { $0.level == .selfCare }) {
            basis = .selfCareRule
        } else {
            basis = .noSymptom
        }
        let ordered = fired.sorted { lhs, rhs in
            lhs.level != rhs.level ? lhs.level > rhs.level : lhs.ruleID < rhs.ruleID
        }
        var messages: [String] = []
        for firedRule in ordered {
            guard let rule = rules.rules.first(where: { $0.id == firedRule.ruleID }) else { continue }
            let message = rule.response(in: contacts.language)
                .replacingOccurrences(of: "{emergency}", with: contacts.emergency)
                .replacingOccurrences(of: "{crisis}", with: contacts.crisis)
            if !messages.contains(message) { messages.append(message) }
        }
        if basis == .safeDefault {
            messages.append(
                contacts.unplacedMessage(symptoms: unplacedNames.map { $0.replacingOccurrences(of: "-", with: " ") })
            )
        }
        return TriageVerdict(
            level: level,
            firedRules: ordered,
            ignoredMatches: ignored,
            escalation: contacts.message(for: level),
            messages: messages,
            reviewNotice: reviewNotice,
            basis: basis,
            concepts: findings,
            unplacedSymptoms: unplacedNames
        )
    }
}
