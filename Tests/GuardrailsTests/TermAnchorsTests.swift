import Foundation
import TestSupport
import Testing

@testable import Guardrails

/// Skipping terms whose first words are absent must never change what is found.
@Suite struct TermAnchorsTests {
    @Test(arguments: [
        (#"\bneck (?:is )?stiff"#, ["neck "]),
        (#"\b(?:stomach|tummy) ?aches?"#, ["stomach", "tummy"]),
        (#"\b[ée]tourdi\w*"#, ["etourdi"]),
        (#"(?<!food )\bpoison\w*"#, ["poison"]),
        (#"\bstif+(?:ness)? neck"#, [" neck"]),
        (#"\bpre-?eclamp\w*|\beclamp\w*"#, ["eclamp"]),
        (#"\b(?:my|his) head"#, [" head"]),
        (#"\b(?:je |il )?(?:ne )?supporte (?:pas|plus) la lumi[eè]re"#, [" la lumiere"]),
        (#"\bcan''t breathe"#, ["can''t breathe"]),
    ])
    func anchorsAreTheLiteralStartOfEveryMatch(pattern: String, expected: [String]) {
        #expect(TermAnchors.anchors(of: pattern) == expected.sorted())
    }

    @Test(arguments: [#"\d{2} ?(?-i:SA)\b"#, #"[ao]bc"#, #"\b\w+\s\d+"#, #".{0,5}ab"#, #"\bno|\bmany"#])
    func patternsWithoutALiteralStartAlwaysRun(pattern: String) {
        #expect(TermAnchors.anchors(of: pattern) == nil)
    }

    /// Every message of the evaluation sets and every rule example: the same findings either way.
    @Test func skippingTermsChangesNoFinding() throws {
        let book = try RuleBook.bundled()
        let fast = try ConceptReader(book.concepts)
        let full = try ConceptReader(book.concepts, usesAnchors: false)
        let cases = try TriageEvaluation.loadCases(from: SharedData.packageRoot.appendingPathComponent("eval/triage"))
        var messages = cases.flatMap { $0.turns.filter { $0.role == .user }.map(\.text) }
        messages += book.rules.flatMap { $0.examples.fire + $0.examples.notFire }
        #expect(messages.count > 600)
        let context = MatchContext()
        for message in messages {
            let text = context.frame(MatchContext.normalized(message))
            let key = { (finding: ConceptFinding) in "\(finding.conceptID) \(finding.span.start) \(finding.span.end)" }
            let skipped = Set(fast.findings(in: text, turn: 0, context: context).map(key))
            let all = Set(full.findings(in: text, turn: 0, context: context).map(key))
            #expect(skipped == all, "\(message.prefix(60))")
        }
    }
}
