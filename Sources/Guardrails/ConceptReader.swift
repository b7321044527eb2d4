import Foundation

/// A concept found in a message: where, and whether it counts.
public struct ConceptFinding: Hashable, Sendable, Codable {
    /// How a concept was found.
    public enum Source: String, Hashable, Sendable, Codable {
        /// One of its terms matched.
        case term
        /// A value written in the message is in its range.
        case value
    }

    /// The concept's id.
    public var conceptID: String
    /// The conversation turn (index).
    public var turn: Int
    /// Where in that turn's text.
    public var span: TextSpan
    /// How it was found.
    public var source: Source
    /// Why it does not count (negated, past, hypothetical); nil when it counts.
    public var modifier: MatchModifier?
}

/// The concepts present in a conversation: what rules' conditions are read against.
struct ConceptPresence {
    /// Present concept index → the first counted finding that makes it present (directly or through
    /// a concept it includes).
    var evidence: [Int: ConceptFinding] = [:]
    /// Concept indices found directly (not only through ``ClinicalConcept/includes``).
    var direct: Set<Int> = []
}

/// Compiled concepts: reads messages into ``ConceptFinding``s and evaluates ``ConceptCondition``s.
struct ConceptReader: Sendable {
    /// One term of one concept, compiled, with the anchors that must be in a message for it to match.
    private struct Term: Sendable {
        let concept: Int
        let pattern: CompiledPattern
        /// Indices into ``ConceptReader/anchors``; nil: always run.
        let anchors: [Int]?
    }

    let concepts: [ClinicalConcept]
    private let indexByID: [String: Int]
    private let terms: [Term]
    /// Every distinct anchor (folded UTF-8), searched once per message.
    private let anchors: [[UInt8]]
    /// For each concept, itself and every concept that includes it, transitively.
    private let closures: [[Int]]
    private let measurements = MeasurementReader()

    /// - Throws: ``GuardrailsError`` for a duplicate id, an unknown or circular `includes`, an invalid
    ///   term, or a concept that can never be present.
    /// - Parameter usesAnchors: whether terms whose anchors are absent are skipped (false only to test
    ///   that skipping them changes no finding).
    init(_ concepts: [ClinicalConcept], usesAnchors: Bool = true) throws {
        self.concepts = concepts
        var indexByID: [String: Int] = [:]
        for (index, concept) in concepts.enumerated() {
            guard indexByID.updateValue(index, forKey: concept.id) == nil else {
                throw GuardrailsError(.malformed, location: "concepts: \(concept.id)", reason: "duplicate concept id")
            }
        }
        self.indexByID = indexByID
        var terms: [Term] = []
        var anchorIndex: [String: Int] = [:]
        var anchors: [[UInt8]] = []
        for (index, concept) in concepts.enumerated() {
            let sources = (concept.terms ?? [:]).sorted { $0.key < $1.key }.flatMap(\.value)
            for (offset, source) in sources.enumerated() {
                let pattern = try CompiledPattern(source, location: "concepts: \(concept.id).terms[\(offset)]")
                let indices = (usesAnchors ? TermAnchors.anchors(of: source) : nil).map { found in
                    found.map { anchor in
                        if let known = anchorIndex[anchor] { return known }
                        anchors.append(Array(anchor.utf8))
                        anchorIndex[anchor] = anchors.count - 1
                        return anchors.count - 1
                    }
                }
                terms.append(Term(concept: index, pattern: pattern, anchors: indices))
            }
        }
        self.terms = terms
        self.anchors = anchors
        var parents = Array(repeating: [Int](), count: concepts.count)
        for (index, concept) in concepts.enumerated() {
            for child in concept.includes ?? [] {
                guard let childIndex = indexByID[child] else {
                    throw GuardrailsError(
                        .malformed,
                        location: "concepts: \(concept.id).includes",
                        reason: "unknown concept '\(child)'"
                    )
                }
                parents[childIndex].append(index)
            }
            if concept.terms == nil, concept.value == nil, (concept.includes ?? []).isEmpty {
                throw GuardrailsError(
                    .malformed,
                    location: "concepts: \(concept.id)",
                    reason: "no terms, value or includes: it can never be present"
                )
            }
        }
        closures = try (0..<concepts.count).map { start in
            var seen: [Int] = [start]
            var stack = parents[start]
            while let next = stack.popLast() {
                if next == start {
                    throw GuardrailsError(
                        .malformed,
                        location: "concepts: \(concepts[start].id).includes",
                        reason: "includes itself"
                    )
                }
                guard !seen.contains(next) else { continue }
                seen.append(next)
                stack += parents[next]
            }
            return seen
        }
    }

    /// Checks that every reference of `condition` names a concept or a kind (`@symptom`).
    func validate(_ condition: ConceptCondition, location: String) throws {
        for reference in condition.references where !isKnown(reference) {
            throw GuardrailsError(.malformed, location: location, reason: "unknown concept '\(reference)'")
        }
        if (condition.all ?? []).isEmpty, (condition.any ?? []).isEmpty {
            throw GuardrailsError(.malformed, location: location, reason: "a condition needs 'all' or 'any'")
        }
    }

    private func isKnown(_ reference: String) -> Bool {
        if reference.hasPrefix("@") { return ClinicalConcept.Kind(rawValue: String(reference.dropFirst())) != nil }
        return indexByID[reference] != nil
    }

    /// Every concept term and value in the framed text, counted or not.
    func findings(in frame: MatchContext.Frame, turn: Int, context: MatchContext) -> [ConceptFinding] {
        let text = frame.text
        var result: [ConceptFinding] = []
        var seen = Set<String>()
        let present = presentAnchors(in: text)
        for term in terms {
            if let required = term.anchors, !required.contains(where: { present[$0] }) { continue }
            for range in term.pattern.matches(in: text) {
                let conceptID = concepts[term.concept].id
                // Two terms of one concept matching the same words are one finding.
                guard seen.insert("\(conceptID) \(range.location) \(range.length)").inserted else { continue }
                result.append(
                    ConceptFinding(
                        conceptID: conceptID,
                        turn: turn,
                        span: TextSpan(start: range.location, end: range.location + range.length),
                        source: .term,
                        modifier: context.modifier(of: range, in: frame, ignoringOwnWords: true)
                    )
                )
            }
        }
        let values = measurements.measurements(in: text)
        if !values.isEmpty {
            for concept in concepts {
                guard let criterion = concept.value else { continue }
                for value in values where value.measure == criterion.measure && criterion.contains(value.value) {
                    let range = NSRange(location: value.span.start, length: value.span.end - value.span.start)
                    result.append(
                        ConceptFinding(
                            conceptID: concept.id,
                            turn: turn,
                            span: value.span,
                            source: .value,
                            modifier: context.modifier(of: range, in: frame, ignoringOwnWords: true)
                        )
                    )
                }
            }
        }
        return result
    }

    /// Which anchors occur in `text` (folded as anchors are).
    private func presentAnchors(in text: String) -> [Bool] {
        let haystack = Array(TermAnchors.fold(text).utf8)
        return haystack.withUnsafeBytes { buffer in
            anchors.map { anchor in Self.contains(buffer, anchor) }
        }
    }

    /// Whether `needle` occurs in `haystack`.
    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            guard let found = haystack[start...last].firstIndex(of: first) else { return false }
            var matched = true
            for offset in 1..<needle.count where haystack[found + offset] != needle[offset] {
                matched = false
                break
            }
            if matched { return true }
            start = found + 1
        }
        return false
    }

    /// The concepts that the counted findings make present, with their evidence.
    func presence(of findings: [ConceptFinding]) -> ConceptPresence {
        var presence = ConceptPresence()
        for finding in findings where finding.modifier == nil {
            guard let index = indexByID[finding.conceptID] else { continue }
            presence.direct.insert(index)
            for present in closures[index] where presence.evidence[present] == nil {
                presence.evidence[present] = finding
            }
        }
        return presence
    }

    /// The concepts a satisfied condition rests on, or nil when `condition` does not hold.
    func satisfied(_ condition: ConceptCondition, by presence: ConceptPresence) -> [Int]? {
        var used: [Int] = []
        for reference in condition.all ?? [] {
            let present = self.present(reference, in: presence)
            guard !present.isEmpty else { return nil }
            used += present
        }
        if let any = condition.any, !any.isEmpty {
            let present = any.flatMap { self.present($0, in: presence) }
            guard !present.isEmpty else { return nil }
            used += present
        }
        for reference in condition.none ?? [] where !self.present(reference, in: presence).isEmpty {
            return nil
        }
        return used
    }

    /// The present concepts a reference stands for: the concept itself, or every present concept of a kind.
    private func present(_ reference: String, in presence: ConceptPresence) -> [Int] {
        if reference.hasPrefix("@") {
            let kind = ClinicalConcept.Kind(rawValue: String(reference.dropFirst()))
            return presence.direct.filter { concepts[$0].kind == kind }.sorted()
        }
        guard let index = indexByID[reference], presence.evidence[index] != nil else { return [] }
        return [index]
    }

    /// Whether concept `index` is `ancestor` or is included in it, transitively.
    func isPlaced(_ index: Int, by ancestors: Set<Int>) -> Bool {
        closures[index].contains { ancestors.contains($0) }
    }

    /// How near (UTF-16 characters) a placed problem must be to place a broad concept.
    static let broadReach = 80

    /// The present concepts that describe a problem (or are red flags) and that no fired rule places.
    ///
    /// A concept is placed when a rule's holding condition rests on it or on a concept that includes
    /// it; a broad concept is also placed when every word that made it present lies inside the words of
    /// a placed concept ("pain" inside "back pain" is placed with back pain).
    func unplaced(in presence: ConceptPresence, findings: [ConceptFinding], placed: Set<Int>) -> [Int] {
        let counted = findings.filter { $0.modifier == nil }
        let placedSpans = counted.filter { finding in
            indexByID[finding.conceptID].map { isPlaced($0, by: placed) } ?? false
        }
        return presence.evidence.keys.sorted().filter { index in
            let concept = concepts[index]
            let describesProblem = presence.direct.contains(index) && concept.kind.describesProblem
            guard describesProblem || concept.redFlag == true, !isPlaced(index, by: placed) else { return false }
            guard presence.direct.contains(index) else { return true }
            let own = counted.filter { $0.conceptID == concept.id }
            let reach = concept.broad == true ? Self.broadReach : 0
            let covered = own.allSatisfy { finding in
                placedSpans.contains { other in
                    other.turn == finding.turn && other.conceptID != finding.conceptID
                        && other.span.start - reach <= finding.span.start && other.span.end + reach >= finding.span.end
                }
            }
            return !covered
        }
    }

    /// The concept with `index`.
    func concept(_ index: Int) -> ClinicalConcept { concepts[index] }
}
