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
        let report = EvalReport.triage(run, inputs: [try InputChecksum.of(folder)], embedder: "none")
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
}
