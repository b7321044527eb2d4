import Foundation
import Testing

@testable import Guardrails

/// What the exemplar net compares: sentences, and the clauses of long ones.
@Suite struct MatchContextTests {
    let context = MatchContext()

    @Test func shortSentencesAreComparedWhole() {
        let units = context.exemplarUnits(in: "My chest hurts. I feel sick!")
        #expect(units.map(\.text) == ["My chest hurts.", "I feel sick!"])
    }

    @Test func aLongRunOnSentenceIsAlsoComparedClauseByClause() {
        let message =
            "we moved house on saturday and the boxes are still everywhere and my back is not great, "
            + "my husband did most of the lifting, then this morning he said everyone would be better off "
            + "without him, so I am worried"
        let units = context.exemplarUnits(in: message).map(\.text)
        #expect(units.first == message)
        #expect(units.contains("then this morning he said everyone would be better off without him"))
        #expect(units.contains("my husband did most of the lifting"))
        // Every clause is inside the message, and none is shorter than the rule allows.
        for unit in units.dropFirst() {
            #expect(message.contains(unit))
            #expect(unit.split(separator: " ").count >= 2)
        }
    }
}
