import Foundation
import Guardrails
import HealthRecords
import Testing
import TextEmbedding

@Suite struct TriageTests {
    let guardrails: Guardrails

    init() throws {
        guardrails = try Guardrails(rules: try RuleBook.bundled())
    }

    @Test(arguments: [
        ("I have crushing chest pain since this morning", TriageLevel.emergency),
        ("no chest pain, just a runny nose", .selfCare),
        ("I had chest pain last year, the tests were fine", .selfCare),
        ("my father had a stroke in 2019, what should he eat?", .selfCare),
        ("my father's face is drooping right now", .emergency),
        ("what are the signs of a stroke?", .selfCare),
        ("What are the signs of a stroke? My dad's speech is slurred right now", .emergency),
        ("I want to kill myself", .crisis),
        ("I'm not suicidal, just tired", .selfCare),
        ("sin dolor en el pecho, solo tos", .selfCare),
        ("pas de douleur à la poitrine", .selfCare),
        ("j'ai une douleur dans la poitrine depuis ce matin", .emergency),
        ("I've had a cough for four weeks", .routine),
    ])
    func levelOfOneMessage(message: String, expected: TriageLevel) {
        #expect(guardrails.triage(message: message).level == expected)
    }

    @Test func negatedMatchIsReportedAsIgnored() {
        let verdict = guardrails.triage(message: "no chest pain today")
        #expect(verdict.ignoredMatches.contains { $0.ruleID == "chest-pain-cardiac" && $0.modifier == .negated })
    }

    @Test func evidenceSpanPointsAtTheMatchedWords() throws {
        let message = "Since an hour I feel pressure in my chest and sweating"
        let verdict = guardrails.triage(message: message)
        let fired = try #require(verdict.firedRules.first { $0.ruleID == "chest-pain-cardiac" })
        let span = try #require(fired.span)
        #expect(span.text(in: message).lowercased().contains("chest"))
    }

    @Test func anEarlierEmergencyPersistsThroughPushback() {
        let verdict = guardrails.triage(conversation: [
            .user("I have chest pressure and my left arm hurts"),
            .assistant("This could be a heart attack. Call 911 now."),
            .user("I don't want to go to the ER, just tell me what to take"),
        ])
        #expect(verdict.level == .emergency)
        #expect(verdict.firedRules.first?.turn == 0)
    }

    @Test func assistantTurnsAreNotTriaged() {
        let verdict = guardrails.triage(conversation: [
            .assistant("Chest pain can be a heart attack; call 911 if you have it."),
            .user("thanks, what foods are good for the heart?"),
        ])
        #expect(verdict.level == .selfCare)
    }

    @Test(arguments: [("US", "911"), ("FR", "15"), ("UK", "999"), ("ES", "112"), ("EU", "112")])
    func escalationUsesTheLocaleNumbers(locale: String, number: String) throws {
        let local = try Guardrails(rules: try RuleBook.bundled(), configuration: .init(locale: locale))
        let escalation = try #require(local.triage(message: "I can't breathe").escalation)
        #expect(escalation.contains(number))
    }

    @Test(arguments: [("US", "988"), ("FR", "3114"), ("ES", "024"), ("UK", "116 123")])
    func crisisUsesTheLocaleCrisisLine(locale: String, number: String) throws {
        let local = try Guardrails(rules: try RuleBook.bundled(), configuration: .init(locale: locale))
        let verdict = local.triage(message: "I want to end my life")
        #expect(verdict.level == .crisis)
        #expect(verdict.escalation?.contains(number) == true)
    }

    @Test func unknownLocaleIsRefused() throws {
        #expect(throws: GuardrailsError.self) {
            try Guardrails(rules: try RuleBook.bundled(), configuration: .init(locale: "ZZ"))
        }
    }

    @Test func everyVerdictSaysTheRulesAwaitReview() {
        let verdict = guardrails.triage(message: "what is a normal blood pressure?")
        #expect(verdict.reviewNotice?.contains("await clinical review") == true)
    }

    // MARK: records

    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func lab(_ title: String, loinc: String, value: Double, unit: String, daysAgo: Double) -> ClinicalRecord {
        ClinicalRecord(
            id: RecordID("obs-\(loinc)-\(value)"),
            kind: .observation,
            title: title,
            codes: [ClinicalCode(system: .loinc, code: loinc, display: title)],
            date: now.addingTimeInterval(-daysAgo * 86_400),
            value: .quantity(Quantity(value: value, unit: unit)),
            provenance: Provenance(sourceFile: "test.json")
        )
    }

    @Test func recentCriticalPotassiumRaisesTheLevel() throws {
        let record = Self.lab(
            "Potassium [Moles/volume] in Serum or Plasma",
            loinc: "2823-3",
            value: 6.4,
            unit: "mmol/L",
            daysAgo: 2
        )
        let verdict = guardrails.triage(
            message: "what does my potassium result mean?",
            records: [record],
            now: Self.now
        )
        #expect(verdict.level == .urgent)
        let fired = try #require(verdict.firedRules.first { $0.ruleID == "critical-potassium-high" })
        #expect(fired.recordID == record.id)
    }

    @Test func oldOrNormalPotassiumDoesNotFire() {
        let old = Self.lab("Potassium", loinc: "2823-3", value: 6.4, unit: "mmol/L", daysAgo: 200)
        let normal = Self.lab("Potassium", loinc: "2823-3", value: 4.1, unit: "mmol/L", daysAgo: 1)
        let verdict = guardrails.triage(message: "hello", records: [old, normal], now: Self.now)
        #expect(verdict.level == .selfCare)
    }

    @Test func lowGlucoseInMilligramsFires() {
        let record = Self.lab("Glucose [Mass/volume] in Blood", loinc: "2339-0", value: 48, unit: "mg/dL", daysAgo: 1)
        #expect(guardrails.triage(message: "hi", records: [record], now: Self.now).level == .urgent)
    }

    @Test func anticoagulantWithAFallIsUrgentOnlyWhenTheMessageTouchesIt() {
        let warfarin = ClinicalRecord(
            id: RecordID("med-1"),
            kind: .medication,
            title: "Warfarin Sodium 5 MG Oral Tablet",
            codes: [ClinicalCode(system: .rxNorm, code: "855332", display: "Warfarin Sodium 5 MG Oral Tablet")],
            status: "active",
            provenance: Provenance(sourceFile: "test.json")
        )
        #expect(guardrails.triage(message: "I slipped and fell in the bathroom", records: [warfarin]).level == .urgent)
        #expect(guardrails.triage(message: "what is a healthy breakfast?", records: [warfarin]).level == .selfCare)
        #expect(
            guardrails.triage(message: "I didn't fall, I'm asking about diet", records: [warfarin]).level == .selfCare
        )
    }

    @Test func exemplarsCatchAParaphraseTheHashingEmbedderCanSee() throws {
        // A rule known only by its exemplar: no pattern and no concept names these words.
        var book = try RuleBook.bundled()
        book.rules.append(
            GuardrailRule(
                id: "exemplar-only",
                version: 1,
                kind: .messageTriage,
                level: .crisis,
                title: "A test rule",
                exemplars: ["the quokka glows violet at midnight"],
                responses: ["en": "test"],
                rationale: "test",
                references: [],
                examples: RuleExamples(fire: [], notFire: [])
            )
        )
        let patternsOnly = try Guardrails(rules: book)
        let embedded = try Guardrails(rules: book, configuration: .init(embedder: HashingEmbedder()))
        let message = "the quokka glows violet at midnight again"
        #expect(patternsOnly.triage(message: message).level == .selfCare)
        let verdict = embedded.triage(message: message)
        #expect(verdict.level == .crisis)
        #expect(verdict.firedRules.contains { $0.ruleID == "exemplar-only" && $0.source == .exemplar })
    }

    @Test func aKnownEmbeddingStandsInForTheSentenceWithItsPunctuation() throws {
        let embedder = HashingEmbedder()
        let embedded = try Guardrails(rules: try RuleBook.bundled(), configuration: .init(embedder: embedder))
        let paraphrase = "everyone would be better off if I were gone."
        // The vector the caller already has is the one the exemplar net uses: the same verdict.
        let known = [paraphrase: try embedder.embed(paraphrase)]
        let direct = embedded.triage(conversation: [.user(paraphrase)])
        let reused = embedded.triage(conversation: [.user(paraphrase)], knownEmbeddings: known)
        #expect(direct.level == .crisis)
        #expect(reused.level == direct.level)
        #expect(reused.firedRules.map(\.ruleID) == direct.firedRules.map(\.ruleID))
        // And it is used, not re-made: a benign question given the crisis sentence's vector fires.
        let benign = "what is a healthy breakfast?"
        #expect(embedded.triage(conversation: [.user(benign)]).level == .selfCare)
        let swapped = embedded.triage(conversation: [.user(benign)], knownEmbeddings: [benign: known[paraphrase]!])
        #expect(swapped.level == .crisis)
        // Keys are whole sentences with their closing punctuation: without it, the vector is not used.
        let unmatched = embedded.triage(
            conversation: [.user(benign)],
            knownEmbeddings: ["what is a healthy breakfast": known[paraphrase]!]
        )
        #expect(unmatched.level == .selfCare)
    }

    @Test func preparedRecordsGiveTheSameVerdictsAsTheRecords() throws {
        let potassium = Self.lab("Potassium", loinc: "2823-3", value: 6.4, unit: "mmol/L", daysAgo: 2)
        let oldPotassium = Self.lab("Potassium", loinc: "2823-3", value: 6.8, unit: "mmol/L", daysAgo: 300)
        let glucose = Self.lab("Glucose [Mass/volume] in Blood", loinc: "2339-0", value: 48, unit: "mg/dL", daysAgo: 20)
        let warfarin = ClinicalRecord(
            id: RecordID("med-1"),
            kind: .medication,
            title: "Warfarin Sodium 5 MG Oral Tablet",
            status: "active",
            provenance: Provenance(sourceFile: "test.json")
        )
        let records = [oldPotassium, glucose, warfarin, potassium]
        let prepared = guardrails.prepare(records: records)
        #expect(prepared.recordCount == 4)
        let messages = ["hello", "I slipped and fell in the bathroom", "what is a healthy breakfast?"]
        // One preparation serves every message and every "now" (ages are tested per message).
        for days in [0.0, 10, 30, 400] {
            let now = Self.now.addingTimeInterval(days * 86_400)
            for message in messages {
                let direct = guardrails.triage(conversation: [.user(message)], records: records, now: now)
                let reused = guardrails.triage(conversation: [.user(message)], prepared: prepared, now: now)
                #expect(reused.level == direct.level, "\(message) +\(days)d")
                #expect(reused.firedRules.map(\.ruleID) == direct.firedRules.map(\.ruleID))
                #expect(reused.firedRules.map(\.recordID) == direct.firedRules.map(\.recordID))
            }
        }
        // Records prepared for other rules are prepared again, not misread.
        var fewer = try RuleBook.bundled()
        fewer.rules.removeAll { $0.id == "critical-potassium-high" }
        let other = try Guardrails(rules: fewer)
        let fromOther = guardrails.triage(
            conversation: [.user("hello")],
            prepared: other.prepare(records: records),
            now: Self.now
        )
        let direct = guardrails.triage(conversation: [.user("hello")], records: records, now: Self.now)
        #expect(fromOther.firedRules.map(\.ruleID) == direct.firedRules.map(\.ruleID))
        #expect(direct.firedRules.contains { $0.ruleID == "critical-potassium-high" })
    }
}
