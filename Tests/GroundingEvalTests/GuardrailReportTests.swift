import Foundation
import GroundingEval
import Guardrails
import TestSupport
import Testing

@Suite struct GuardrailReportTests {
    @Test("the triage report's confusion matrix adds up to the cases, with the correct ones on the diagonal")
    func triageConfusionMatrix() throws {
        let folder = SharedData.packageRoot.appendingPathComponent("eval/triage")
        let cases = try TriageEvaluation.loadCases(from: folder)
        let guardrails = try Guardrails(rules: RuleBook.bundled())
        let run = TriageEvaluation.run(cases, split: "all", guardrails: guardrails)
        let report = EvalReport.triage([run], inputs: [try InputChecksum.of(folder)], embedder: "none")
        let matrix = try #require(report.confusionMatrix)
        #expect(matrix.labels == ["emergency", "crisis", "urgent", "routine", "self-care"])
        #expect(matrix.counts.flatMap(\.self).reduce(0, +) == cases.count)
        let diagonal = (0..<matrix.labels.count).map { matrix.counts[$0][$0] }.reduce(0, +)
        #expect(diagonal == cases.count - run.misses.count)
        for (row, level) in TriageLevel.allCases.reversed().enumerated() {
            #expect(matrix.counts[row].reduce(0, +) == cases.filter { $0.level == level }.count)
        }
        #expect(report.metric("accuracy")?.value == run.accuracy)
        let html = ReportWriter.html(report)
        #expect(html.contains("Confusion matrix") || html.contains("confusion"))
    }

    @Test("a report of both parts scores each part apart and lists each miss with its red flag")
    func triageReportOfBothParts() throws {
        let folder = SharedData.packageRoot.appendingPathComponent("eval/triage")
        let cases = try TriageEvaluation.loadCases(from: folder)
        let guardrails = try Guardrails(rules: RuleBook.bundled())
        let parts = ["dev", "test"].map { TriageEvaluation.run(cases, split: $0, guardrails: guardrails) }
        let report = EvalReport.triage(parts, inputs: [try InputChecksum.of(folder)], embedder: "none")
        #expect(report.metric("dev: accuracy")?.value == parts[0].accuracy)
        #expect(report.metric("test: accuracy")?.value == parts[1].accuracy)
        #expect(report.metric("test: safety rate")?.value == parts[1].safetyRate)
        #expect(parts[0].count + parts[1].count == cases.count)
        // The matrix is the test part's.
        let matrix = try #require(report.confusionMatrix)
        #expect(matrix.counts.flatMap(\.self).reduce(0, +) == parts[1].count)
        for part in parts {
            for miss in part.misses {
                #expect(report.notes.contains { $0.hasPrefix("\(part.split) miss \(miss.id):") })
            }
        }
    }
}
