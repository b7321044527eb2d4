import Foundation
import Guardrails
import Testing

/// The concept layer: names in three languages for one concept, rules that combine concepts, values
/// written in the text, and the safe default for what no rule places.
@Suite struct ConceptTriageTests {
    let guardrails: Guardrails

    init() throws {
        guardrails = try Guardrails(rules: try RuleBook.bundled())
    }

    /// The concepts a verdict counted (not negated, past or hypothetical).
    func counted(_ verdict: TriageVerdict) -> Set<String> {
        Set(verdict.concepts.filter { $0.modifier == nil }.map(\.conceptID))
    }

    @Test(arguments: [
        "he has a stiff neck", "neck stiffness since last night", "nuchal rigidity on examination",
        "she can't bend her chin to her chest", "il a la nuque raide", "raideur de nuque depuis ce matin",
        "tiene rigidez de nuca", "cuello rígido desde ayer",
    ])
    func everyNameOfNeckStiffnessIsOneConcept(message: String) {
        #expect(counted(guardrails.triage(message: message)).contains("neck-stiffness"))
    }

    @Test(arguments: [
        "photophobia", "the light hurts my eyes", "he can't stand the light", "la lumière lui fait mal",
        "la luz le molesta mucho",
    ])
    func everyNameOfPhotophobiaIsOneConcept(message: String) {
        #expect(counted(guardrails.triage(message: message)).contains("photophobia"))
    }

    /// The three presentations the issue names, each in several voices and languages.
    @Test(arguments: [
        "my 18 year old has had a severe headache and fever for three days, light hurts his eyes and his neck is stiff",
        "An 18-year-old presents with 3 days of fever and headache, photophobia and neck stiffness.",
        "Mon fils a de la fièvre depuis trois jours, très mal à la tête, la lumière le gêne et il a la nuque raide",
        "mi hijo tiene fiebre y dolor de cabeza, le molesta la luz y tiene rigidez de nuca",
        "he is writhing in pain, sudden pain in his right flank going down to the groin, and he keeps vomiting",
        "45M, sudden severe left loin pain radiating to the groin, vomiting, cannot keep still",
        "I'm asthmatic and for three days I've been getting more breathless, and my inhaler no longer helps",
        "my son's asthma is bad, he's wheezing and his inhaler isn't doing anything",
    ])
    func namedPresentationsAreEmergencies(message: String) {
        let verdict = guardrails.triage(message: message)
        #expect(verdict.level == .emergency, "\(verdict.firedRules.map(\.ruleID))")
        #expect(verdict.basis == .rules)
    }

    @Test func aRuleFiresOnCombinedConceptsAndSaysWhichOnes() throws {
        let verdict = guardrails.triage(message: "she has a temperature and her neck is stiff")
        let fired = try #require(verdict.firedRules.first { $0.ruleID == "meningitis-signs" })
        #expect(fired.source == .concepts)
        #expect(Set(fired.concepts ?? []) == ["fever", "neck-stiffness"])
    }

    @Test func negatedPastAndHypotheticalConceptsDoNotCount() {
        let negated = guardrails.triage(message: "no fever, no stiff neck, just a mild headache")
        #expect(negated.level == .selfCare)
        #expect(negated.concepts.contains { $0.conceptID == "neck-stiffness" && $0.modifier == .negated })
        let past = guardrails.triage(message: "my mum had meningitis with a stiff neck and fever in 1990")
        #expect(past.level == .selfCare)
        let question = guardrails.triage(message: "what are the signs of meningitis, like a stiff neck?")
        #expect(question.level == .selfCare)
    }

    @Test func anUnrecognizedSymptomIsRoutineAndNamed() throws {
        let verdict = guardrails.triage(message: "my left earlobe has gone numb since this morning")
        #expect(verdict.level == .routine)
        #expect(verdict.basis == .safeDefault)
        #expect(verdict.unplacedSymptoms.contains("numbness"))
        let message = try #require(verdict.messages.last)
        #expect(message.contains("numbness"))
    }

    @Test func somethingWrongWithABodyPartStillReachesAClinician() {
        let verdict = guardrails.triage(message: "my big toe looks strange and is puffy")
        #expect(verdict.level >= .routine)
        #expect(verdict.basis == .safeDefault)
    }

    @Test func anUnrecognizedSymptomWithARedFlagIsUrgent() {
        let verdict = guardrails.triage(message: "my knee is swollen and getting worse every day")
        #expect(verdict.level == .urgent)
        #expect(verdict.basis == .safeDefault)
    }

    @Test func informationWithoutASymptomStaysSelfCare() {
        let verdict = guardrails.triage(message: "how much water should I drink a day?")
        #expect(verdict.level == .selfCare)
        #expect(verdict.basis == .noSymptom)
        #expect(verdict.unplacedSymptoms.isEmpty)
    }

    @Test func aMinorPresentationIsSelfCareOnlyThroughASelfCareRule() {
        let cold = guardrails.triage(message: "I've got a runny nose and I keep sneezing")
        #expect(cold.level == .selfCare)
        #expect(cold.basis == .selfCareRule)
        #expect(cold.firedRules.contains { $0.ruleID == "minor-respiratory" })
        // The same cold with something no self-care rule places is not self-care.
        let more = guardrails.triage(message: "I've got a runny nose and my left hand feels numb")
        #expect(more.level == .routine)
        #expect(more.unplacedSymptoms == ["numbness"])
    }

    @Test func aRedFlagKeepsAMinorPresentationFromSelfCare() {
        #expect(guardrails.triage(message: "a runny nose and he is very drowsy and hard to wake").level == .emergency)
        // A baby under 3 months is a red flag: a symptom no rule places for such a baby is urgent.
        let baby = guardrails.triage(message: "my 5 week old baby has a runny nose")
        #expect(baby.level == .urgent)
        #expect(baby.basis == .safeDefault)
    }

    @Test(arguments: [
        ("my temperature is 40.4", TriageLevel.urgent),
        ("temp 104.5F since this afternoon", .urgent),
        ("my oxygen saturation is 88% on the home monitor", .emergency),
        ("BP 205/125 and a pounding headache", .emergency),
        ("BP 205/125, I feel fine", .urgent),
        ("his sugar is 2.1 and he's confused and sweaty", .emergency),
        ("I'm on warfarin and my INR came back at 9", .urgent),
        ("pulse 165 and I feel like I'm going to pass out", .emergency),
        ("ketones 3.4 and sugar is 22", .emergency),
    ])
    func valuesWrittenInTheMessageCount(message: String, expected: TriageLevel) {
        let verdict = guardrails.triage(message: message)
        #expect(verdict.level == expected, "\(verdict.firedRules.map(\.ruleID)) \(counted(verdict))")
    }

    @Test func aYoungInfantWithFeverIsNeverSelfCare() {
        let verdict = guardrails.triage(message: "my 6 week old has a temperature of 38.3")
        #expect(verdict.level >= .urgent)
        #expect(counted(verdict).isSuperset(of: ["young-infant", "fever"]))
    }

    @Test func everyVoiceAndLengthIsRead() {
        let long = """
            Sorry for the long message, it has been a strange week. We moved house on Saturday and the boxes are \
            still everywhere, and my husband has been doing most of the lifting because my back is not great. \
            This morning he said he felt a bit off and went for a lie down. About twenty minutes ago he came \
            downstairs and his speech was slurred and the left side of his face looked droopy, and he could not \
            lift his left arm to take his tea. He says he is fine and just tired and does not want a fuss. \
            He is 58 and takes tablets for blood pressure. Should I let him sleep it off?
            """
        #expect(long.split(separator: " ").count > 100)
        #expect(guardrails.triage(message: long).level == .emergency)
        #expect(
            guardrails.triage(message: "58M, acute onset L facial droop and slurred speech, 20 min").level == .emergency
        )
        #expect(guardrails.triage(message: "my dads face is droopy and hes slurring his words").level == .emergency)
    }

    @Test func everyMessageRuleConditionNamesKnownConcepts() throws {
        var book = try RuleBook.bundled()
        let index = try #require(book.rules.firstIndex { $0.id == "meningitis-signs" })
        book.rules[index].when = [ConceptCondition(all: ["fever", "no-such-concept"])]
        #expect {
            _ = try Guardrails(rules: book)
        } throws: { error in
            let error = error as? GuardrailsError
            return error?.code == .malformed && error?.location == "meningitis-signs.when[0]"
                && error?.reason.contains("no-such-concept") == true
        }
    }

    @Test func conceptsThatIncludeThemselvesOrNothingAreRefused() throws {
        var circular = try RuleBook.bundled()
        circular.concepts.append(ClinicalConcept(id: "loop-a", kind: .group, includes: ["loop-b"]))
        circular.concepts.append(ClinicalConcept(id: "loop-b", kind: .group, includes: ["loop-a"]))
        #expect(throws: GuardrailsError.self) { _ = try Guardrails(rules: circular) }
        var empty = try RuleBook.bundled()
        empty.concepts.append(ClinicalConcept(id: "nothing", kind: .symptom))
        #expect {
            _ = try Guardrails(rules: empty)
        } throws: { error in
            (error as? GuardrailsError)?.location == "concepts: nothing"
        }
        var unknown = try RuleBook.bundled()
        unknown.concepts.append(ClinicalConcept(id: "parent", kind: .group, includes: ["absent"]))
        #expect(throws: GuardrailsError.self) { _ = try Guardrails(rules: unknown) }
    }

    @Test func aReviewCoversTheConceptsARuleRestsOn() throws {
        var book = try RuleBook.bundled()
        try book.recordReview(ruleID: "meningitis-signs", reviewer: "A. Clinician", role: "GP", date: "2026-12-04")
        let rule = try #require(book.rules.first { $0.id == "meningitis-signs" })
        #expect(book.reviewStatus(of: rule) == .reviewed)
        // Editing a concept the rule rests on takes the rule out of its review; an unrelated one does not.
        var unrelated = book
        let sunburn = try #require(unrelated.concepts.firstIndex { $0.id == "sunburn" })
        unrelated.concepts[sunburn].terms?["en"]?.append(#"\bsunburnt nose"#)
        #expect(unrelated.reviewStatus(of: rule) == .reviewed)
        let neck = try #require(book.concepts.firstIndex { $0.id == "neck-stiffness" })
        book.concepts[neck].terms?["en"]?.append(#"\bsore neck"#)
        #expect(book.reviewStatus(of: rule) == .changedSinceReview)
    }

    @Test func theSafeDefaultIsNeverSelfCare() throws {
        #expect(SafeDefault(level: .selfCare).level == .routine)
        let yaml = try String(contentsOf: try #require(RuleBook.bundledURL), encoding: .utf8)
        let lowered = yaml.replacingOccurrences(
            of: "safe-default:\n  level: routine\n  red-flag-level: urgent",
            with: "safe-default:\n  level: selfCare\n  red-flag-level: selfCare"
        )
        #expect(lowered != yaml)
        let book = try RuleBook.parse(lowered)
        #expect(book.safeDefault == SafeDefault(level: .routine, redFlagLevel: .routine))
        let verdict = try Guardrails(rules: book).triage(message: "my left earlobe has gone numb")
        #expect(verdict.level == .routine)
    }

    @Test func anOlderVerdictWithoutConceptsStillDecodes() throws {
        let old = #"{"level":"urgent","firedRules":[],"ignoredMatches":[],"messages":[]}"#
        let verdict = try JSONDecoder().decode(TriageVerdict.self, from: Data(old.utf8))
        #expect(verdict.level == .urgent)
        #expect(verdict.basis == .rules)
        #expect(verdict.concepts.isEmpty)
    }
}
