public import Foundation
import Yams

/// The rules file: rules, escalation numbers per locale, embedding thresholds and lexicons.
///
/// ```swift
/// let book = try RuleBook.bundled()                      // the shipped rules
/// let strict = try RuleBook.load(from: url, mode: .strict) // refuses unreviewed rules
/// ```
public struct RuleBook: Hashable, Sendable, Codable {
    /// How to treat rules without a current clinical review.
    public enum LoadMode: String, Sendable, Codable, CaseIterable {
        /// Load them; every verdict says they await clinical review.
        case `default`
        /// Refuse to load the file.
        case strict
    }

    /// Whether a rule's content is covered by a clinical review.
    public enum ReviewStatus: String, Sendable, Codable {
        /// Reviewed, and unchanged since.
        case reviewed
        /// Never reviewed.
        case unreviewed
        /// Reviewed, then edited: the review no longer covers it.
        case changedSinceReview = "changed-since-review"
    }

    /// The file format's version.
    public var schema: Int
    /// Escalation numbers and messages by locale (`US`, `EU`, `FR`, `UK`, `ES`).
    public var locales: [String: EscalationContacts]
    /// Cosine-similarity thresholds for exemplar matching, by embedder id (`hashing-fnv1a`).
    public var embeddingThresholds: [String: Double]
    /// Drug names the answer checks look for in claims.
    public var drugNames: [String]
    /// The clinical concepts that rules combine (symptoms, signs, modifiers, vulnerable groups, …).
    public var concepts: [ClinicalConcept]
    /// The levels given to symptoms that no rule places.
    public var safeDefault: SafeDefault
    /// The rules.
    public var rules: [GuardrailRule]

    /// Creates a rule book.
    public init(
        schema: Int = 1,
        locales: [String: EscalationContacts],
        embeddingThresholds: [String: Double],
        drugNames: [String],
        concepts: [ClinicalConcept] = [],
        safeDefault: SafeDefault = SafeDefault(),
        rules: [GuardrailRule]
    ) {
        self.schema = schema
        self.locales = locales
        self.embeddingThresholds = embeddingThresholds
        self.drugNames = drugNames
        self.concepts = concepts
        self.safeDefault = safeDefault
        self.rules = rules
    }

    enum CodingKeys: String, CodingKey {
        case schema, locales, concepts, rules
        case safeDefault = "safe-default"
        case embeddingThresholds = "embedding-thresholds"
        case drugNames = "drug-names"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(Int.self, forKey: .schema)
        locales = try container.decode([String: EscalationContacts].self, forKey: .locales)
        embeddingThresholds = try container.decode([String: Double].self, forKey: .embeddingThresholds)
        drugNames = try container.decode([String].self, forKey: .drugNames)
        concepts = try container.decodeIfPresent([ClinicalConcept].self, forKey: .concepts) ?? []
        safeDefault = try container.decodeIfPresent(SafeDefault.self, forKey: .safeDefault) ?? SafeDefault()
        rules = try container.decode([GuardrailRule].self, forKey: .rules)
    }

    /// The rules file shipped with the library.
    public static var bundledURL: URL? { Bundle.module.url(forResource: "guardrail-rules", withExtension: "yaml") }

    /// Loads the rules file shipped with the library.
    /// - Parameter mode: `.strict` refuses unreviewed rules.
    /// - Throws: ``GuardrailsError`` when the file is missing, malformed or (strict) unreviewed.
    public static func bundled(mode: LoadMode = .default) throws -> RuleBook {
        guard let url = bundledURL else {
            throw GuardrailsError(.unreadable, location: "guardrail-rules.yaml", reason: "missing from the bundle")
        }
        return try load(from: url, mode: mode)
    }

    /// Loads a rules file.
    /// - Parameters:
    ///   - url: a YAML rules file.
    ///   - mode: `.strict` refuses unreviewed rules.
    /// - Throws: ``GuardrailsError`` when the file is unreadable, malformed or (strict) unreviewed.
    public static func load(from url: URL, mode: LoadMode = .default) throws -> RuleBook {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw GuardrailsError(
                .unreadable,
                location: url.lastPathComponent,
                reason: "cannot read",
                underlying: error
            )
        }
        return try parse(text, location: url.lastPathComponent, mode: mode)
    }

    /// Parses rules-file YAML.
    /// - Throws: ``GuardrailsError`` when malformed or (strict) unreviewed.
    public static func parse(_ yaml: String, location: String = "rules", mode: LoadMode = .default) throws -> RuleBook {
        let book: RuleBook
        do {
            book = try YAMLDecoder().decode(RuleBook.self, from: yaml)
        } catch let error as DecodingError {
            // The coding path names keys and indices of the rules file, never message or record content.
            throw GuardrailsError(
                .malformed,
                location: location + Self.path(of: error),
                reason: "not a rules file",
                underlying: error
            )
        } catch {
            throw GuardrailsError(.malformed, location: location, reason: "not a rules file", underlying: error)
        }
        var seen = Set<String>()
        for rule in book.rules where !seen.insert(rule.id).inserted {
            throw GuardrailsError(.malformed, location: "\(location): \(rule.id)", reason: "duplicate rule id")
        }
        if mode == .strict {
            let pending = book.rules.filter { book.reviewStatus(of: $0) != .reviewed }
            if let first = pending.first {
                throw GuardrailsError(
                    .unreviewed,
                    location: "\(location): \(first.id)",
                    reason: "\(pending.count) rule(s) lack a current clinical review; strict mode refuses them"
                )
            }
        }
        return book
    }

    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let value), .valueNotFound(_, let value), .dataCorrupted(let value): context = value
        case .keyNotFound(let key, let value):
            context = DecodingError.Context(codingPath: value.codingPath + [key], debugDescription: "")
        @unknown default: return ""
        }
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }
        return keys.isEmpty ? "" : " at " + keys.joined()
    }

    /// The YAML of this rule book (comments in the original file are not kept).
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    /// The canonical serialisation of a rule without its review: JSON with sorted keys; with the
    /// definitions of the concepts it rests on, when it combines concepts, so that editing a concept's
    /// terms takes the rule out of its review as editing its patterns does.
    public static func canonicalContent(of rule: GuardrailRule, concepts: [ClinicalConcept] = []) -> Data {
        struct WithConcepts: Encodable {
            let rule: GuardrailRule
            let concepts: [ClinicalConcept]
        }
        var content = rule
        content.review = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        if concepts.isEmpty { return (try? encoder.encode(content)) ?? Data() }
        return (try? encoder.encode(WithConcepts(rule: content, concepts: concepts.sorted { $0.id < $1.id }))) ?? Data()
    }

    /// SHA-256 (hex) of ``canonicalContent(of:concepts:)``: what a review signs.
    public static func contentHash(of rule: GuardrailRule, concepts: [ClinicalConcept] = []) -> String {
        ContentDigest.sha256Hex(canonicalContent(of: rule, concepts: concepts))
    }

    /// The concepts `rule`'s conditions rest on: those it names, every concept of a kind it names
    /// (`@symptom`), and what they include, transitively.
    public func concepts(referencedBy rule: GuardrailRule) -> [ClinicalConcept] {
        let references = (rule.when ?? []).flatMap(\.references)
        guard !references.isEmpty else { return [] }
        var pending: [String] = []
        for reference in references {
            if reference.hasPrefix("@") {
                pending += concepts.filter { "@" + $0.kind.rawValue == reference }.map(\.id)
            } else {
                pending.append(reference)
            }
        }
        var seen = Set<String>()
        var result: [ClinicalConcept] = []
        while let id = pending.popLast() {
            guard seen.insert(id).inserted, let concept = concepts.first(where: { $0.id == id }) else { continue }
            result.append(concept)
            pending += concept.includes ?? []
        }
        return result
    }

    /// What a review of `rule` signs in this rule book: its content and that of the concepts it rests on.
    public func contentHash(ofRule rule: GuardrailRule) -> String {
        Self.contentHash(of: rule, concepts: concepts(referencedBy: rule))
    }

    /// Whether `rule`'s current content is covered by its review.
    public func reviewStatus(of rule: GuardrailRule) -> ReviewStatus {
        guard let review = rule.review else { return .unreviewed }
        return review.contentHash == contentHash(ofRule: rule) ? .reviewed : .changedSinceReview
    }

    /// The ids of the rules that await clinical review (never reviewed or edited since).
    public var rulesAwaitingReview: [String] {
        rules.filter { reviewStatus(of: $0) != .reviewed }.map(\.id)
    }

    /// Records a review of rule `id`'s current content.
    /// - Throws: ``GuardrailsError`` when no rule has that id.
    public mutating func recordReview(ruleID id: String, reviewer: String, role: String, date: String) throws {
        guard let index = rules.firstIndex(where: { $0.id == id }) else {
            throw GuardrailsError(.unknownRule, location: id, reason: "no rule with this id")
        }
        rules[index].review = RuleReview(
            reviewer: reviewer,
            role: role,
            date: date,
            contentHash: contentHash(ofRule: rules[index])
        )
    }

    /// The escalation contacts for `locale`.
    /// - Throws: ``GuardrailsError`` when the locale is not configured.
    public func contacts(for locale: String) throws -> EscalationContacts {
        guard let contacts = locales[locale.uppercased()] else {
            throw GuardrailsError(
                .unknownLocale,
                location: locale,
                reason: "configured locales: \(locales.keys.sorted().joined(separator: ", "))"
            )
        }
        return contacts
    }
}
