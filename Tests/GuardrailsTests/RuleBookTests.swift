import Foundation
import Guardrails
import Testing

@Suite struct RuleBookTests {
    @Test func shippedRulesLoadAndAreHonestlyUnreviewed() throws {
        let book = try RuleBook.bundled()
        #expect(book.rules.count >= 30)
        #expect(book.rulesAwaitingReview.count == book.rules.count)
        #expect(book.rules.allSatisfy { $0.review == nil })
    }

    @Test func strictModeRefusesUnreviewedRules() throws {
        #expect(throws: GuardrailsError.self) { try RuleBook.bundled(mode: .strict) }
    }

    @Test func reviewCoversContentAndEditingRevokesIt() throws {
        var book = try RuleBook.bundled()
        let id = "stroke-fast"
        try book.recordReview(ruleID: id, reviewer: "Test Reviewer", role: "test fixture", date: "2026-11-23")
        let reviewed = try #require(book.rules.first { $0.id == id })
        #expect(book.reviewStatus(of: reviewed) == .reviewed)

        var edited = reviewed
        edited.patterns?.append(#"\bnew pattern\b"#)
        #expect(book.reviewStatus(of: edited) == .changedSinceReview)
        #expect(RuleBook.contentHash(of: edited) != RuleBook.contentHash(of: reviewed))
    }

    @Test func strictModeAcceptsAFullyReviewedFile() throws {
        var book = try RuleBook.bundled()
        for rule in book.rules {
            try book.recordReview(ruleID: rule.id, reviewer: "Test Reviewer", role: "test fixture", date: "2026-11-23")
        }
        let reloaded = try RuleBook.parse(try book.yaml(), mode: .strict)
        #expect(reloaded.rulesAwaitingReview.isEmpty)
        #expect(reloaded.rules.map(\.id) == book.rules.map(\.id))
    }

    @Test func contentHashIgnoresTheReviewBlock() throws {
        let rule = try #require(try RuleBook.bundled().rules.first)
        var withReview = rule
        withReview.review = RuleReview(reviewer: "x", role: "y", date: "2026-01-01", contentHash: "z")
        #expect(RuleBook.contentHash(of: rule) == RuleBook.contentHash(of: withReview))
        #expect(RuleBook.contentHash(of: rule).count == 64)
    }

    @Test func everyShippedRuleExampleBehavesAsStated() throws {
        let guardrails = try Guardrails(rules: try RuleBook.bundled())
        let result = RuleExampleRunner.run(guardrails)
        #expect(result.examplesRun > 80)
        #expect(result.failures.isEmpty, "\(result.failures.map { "\($0.ruleID): \($0.example)" })")
    }

    @Test func malformedYAMLSaysWhereWithoutContent() {
        #expect {
            try RuleBook.parse("rules: [ {id: x", location: "broken.yaml")
        } throws: { error in
            "\(error)".contains("broken.yaml")
        }
    }
}
