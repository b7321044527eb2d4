import Guardrails
import Testing

@Suite struct AnswerCheckTests {
    let guardrails: Guardrails

    init() throws {
        guardrails = try Guardrails(rules: try RuleBook.bundled())
    }

    let ldl = EvidenceContext.Evidence(number: 1, text: "LDL cholesterol 162 mg/dL, collected 2026-03-14.")

    @Test func groundedAnswerIsAllowed() {
        let verdict = guardrails.check(
            answer: "Your LDL was 162 mg/dL [1]. Your doctor can explain what it means for you.",
            context: EvidenceContext(evidence: [ldl], level: .selfCare)
        )
        #expect(verdict.decision == .allow)
        #expect(verdict.reasons.isEmpty)
    }

    @Test func numberAbsentFromEvidenceIsFlaggedAtItsSpan() throws {
        let answer = "Your LDL was 186 mg/dL [1]."
        let verdict = guardrails.check(answer: answer, context: EvidenceContext(evidence: [ldl], level: .selfCare))
        let reason = try #require(verdict.reasons.first { $0.check == .unsupportedClaim })
        #expect(reason.span.text(in: answer) == "186")
        #expect(verdict.decision == .revise)
    }

    @Test func diagnosisAsFactIsFlaggedButAHedgeIsNot() {
        let context = EvidenceContext(evidence: [], level: .selfCare)
        #expect(
            guardrails.check(answer: "You have a sinus infection.", context: context).flaggedChecks == [
                .diagnosisAsFact
            ]
        )
        #expect(
            guardrails.check(answer: "You may have a cold; only a clinician can say.", context: context).decision
                == .allow
        )
    }

    @Test func stoppingAMedicineIsFlaggedButDeferringIsNot() {
        let context = EvidenceContext(evidence: [], level: .routine)
        #expect(
            guardrails.check(answer: "You can stop taking your lisinopril.", context: context).flaggedChecks.contains(
                .medicationChange
            )
        )
        #expect(
            guardrails.check(answer: "Don't stop your lisinopril without talking to your doctor.", context: context)
                .flaggedChecks.isEmpty
        )
    }

    @Test func dosingInstructionIsFlagged() {
        let verdict = guardrails.check(
            answer: "Take 400 mg of ibuprofen every 6 hours.",
            context: EvidenceContext(evidence: [], level: .selfCare)
        )
        #expect(verdict.flaggedChecks.contains(.dosingInstruction))
    }

    @Test func reassuranceAtEmergencyEscalatesWithTheMessage() throws {
        let verdict = guardrails.check(
            answer: "It's probably nothing, just indigestion.",
            context: EvidenceContext(evidence: [], level: .emergency)
        )
        #expect(verdict.decision == .escalate)
        #expect(verdict.flaggedChecks == [.falseReassurance, .missingEscalation])
        #expect(try #require(verdict.escalation).contains("911"))
    }

    @Test func missingEscalationAtUrgentAsksForARevision() throws {
        let answer = "Blood in the urine has many causes."
        let verdict = guardrails.check(answer: answer, context: EvidenceContext(evidence: [], level: .urgent))
        #expect(verdict.decision == .revise)
        let reason = try #require(verdict.reasons.first)
        #expect(reason.check == .missingEscalation)
        #expect(reason.span.start == answer.utf16.count)
        #expect(reason.textToAdd != nil)
    }
}
