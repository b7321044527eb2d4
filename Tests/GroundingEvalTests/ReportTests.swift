import Foundation
import GroundingEval
import TestSupport
import Testing

@Suite struct ReportTests {
    private func run(_ met: [Bool?]) -> RubricRun {
        let items = [
            RubricItem(criterion: "a", points: 5, tags: ["axis:accuracy"]),
            RubricItem(criterion: "b", points: 5, tags: ["axis:completeness"]),
        ]
        return RubricRun(
            examples: [
                GradedExample(
                    promptID: "p1",
                    exampleTags: ["theme:hedging"],
                    items: zip(items, met).map { GradedItem(item: $0, grade: Grade(criteriaMet: $1, explanation: "")) }
                )
            ],
            seed: 42
        )
    }

    @Test func writesJSONMarkdownAndSelfContainedHTML() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.json")
        try Data("{}".utf8).write(to: input)
        let report = EvalReport.rubrics(
            run([true, nil]),
            grader: OfflineGrader().identity,
            inputs: [try InputChecksum.of(input)],
            responses: "ideal completions"
        )
        let urls = try ReportWriter.write(report, to: folder.appendingPathComponent("out"))
        #expect(urls.map(\.lastPathComponent) == ["report.json", "report.md", "report.html"])
        let reread = try ReportWriter.read(urls[0])
        #expect(reread.metric("overall")?.value == 1)
        #expect(reread.metric("unknown_grades")?.value == 1)
        #expect(reread.inputs.first?.sha256 == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(reread.grader?.isApproximate == true)
        let html = try String(contentsOf: urls[2], encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("APPROXIMATE"))
        #expect(html.contains("Confusion matrix"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http"))
        let markdown = try String(contentsOf: urls[1], encoding: .utf8)
        #expect(markdown.contains("| axis:accuracy | 1.0000 |"))
        #expect(markdown.contains("APPROXIMATE"))
    }

    @Test func comparisonReportsChangeWithUncertainty() {
        var baseline = EvalReport(
            kind: "rubrics",
            title: "a",
            seed: 1,
            inputs: [],
            metrics: [.init(name: "overall", value: 0.40, standardDeviation: 0.03)]
        )
        var candidate = baseline
        candidate.metrics = [
            .init(name: "overall", value: 0.55, standardDeviation: 0.04), .init(name: "axis:accuracy", value: 0.5),
        ]
        let comparison = ReportComparison(baseline: baseline, candidate: candidate)
        let overall = comparison.rows[0]
        #expect(abs((overall.difference ?? 0) - 0.15) < 1e-12)
        #expect(abs((overall.standardError ?? 0) - 0.05) < 1e-12)
        #expect(overall.isClear)
        #expect(comparison.rows[1].baseline == nil)
        #expect(comparison.warnings.isEmpty)
        #expect(comparison.text.contains("+0.1500"))
        baseline.grader = OfflineGrader().identity
        #expect(!ReportComparison(baseline: baseline, candidate: candidate).warnings.isEmpty)
        candidate.metrics[0].value = 0.45
        #expect(!ReportComparison(baseline: candidate, candidate: candidate).rows[0].isClear)
    }

    @Test func confusionMatrixAndQueryTypesAppearWhenFilled() {
        var report = EvalReport(kind: "triage", title: "t", seed: 1, inputs: [], metrics: [])
        report.confusionMatrix = .init(labels: ["emergency", "routine"], counts: [[3, 1], [0, 5]])
        report.byQueryType = ["numeric": ["ndcg@10": 0.5]]
        let html = ReportWriter.html(report)
        #expect(html.contains(">emergency<"))
        #expect(html.contains(">numeric<"))
        #expect(!html.contains("Not part of this evaluation"))
    }
}
