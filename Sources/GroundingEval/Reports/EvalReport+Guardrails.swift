public import Guardrails

extension EvalReport {
    /// The report of a triage evaluation: accuracy, recall per level, safety rate, over-triage, and
    /// the expected × found confusion matrix.
    public static func triage(_ run: TriageReport, inputs: [InputChecksum], embedder: String) -> EvalReport {
        let levels = TriageLevel.allCases.reversed().map(\.self)
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        var counts = Array(repeating: Array(repeating: 0, count: levels.count), count: levels.count)
        for level in levels {
            let support = run.support[level.rawValue] ?? 0
            let found = Int(((run.recall[level.rawValue] ?? 0) * Double(support)).rounded())
            if let row = index[level] { counts[row][row] = found }
        }
        for miss in run.misses {
            if let row = index[miss.expected], let column = index[miss.predicted] { counts[row][column] += 1 }
        }
        var metrics = [
            Metric(name: "accuracy", value: run.accuracy, count: run.count),
            Metric(name: "safety rate", value: run.safetyRate, count: run.count),
            Metric(name: "self-care over-triage", value: run.selfCareOverTriage),
        ]
        for level in levels {
            if let recall = run.recall[level.rawValue] {
                metrics.append(Metric(name: "recall \(level)", value: recall, count: run.support[level.rawValue]))
            }
        }
        return EvalReport(
            kind: "triage",
            title: "Triage (\(run.split) split, embedder \(embedder))",
            seed: 0,
            inputs: inputs,
            metrics: metrics,
            charts: [Chart(title: "Recall by level", bars: metrics.filter { $0.name.hasPrefix("recall") })],
            confusionMatrix: ConfusionMatrix(labels: levels.map(\.description), counts: counts),
            notes: [
                "Targets: emergency and crisis recall ≥ 0.98, accuracy ≥ 0.85, self-care over-triage ≤ 0.20.",
                run.meetsTargets ? "Targets met." : "Targets NOT met.",
            ]
        )
    }

    /// The report of an answer-check evaluation: precision and recall per check, exact-match share.
    public static func answers(_ run: AnswerReport, inputs: [InputChecksum]) -> EvalReport {
        var metrics = [Metric(name: "exact flag match", value: run.exactMatch, count: run.count)]
        for (check, score) in run.checks.sorted(by: { $0.key < $1.key }) {
            metrics.append(Metric(name: "precision \(check)", value: score.precision))
            metrics.append(Metric(name: "recall \(check)", value: score.recall))
        }
        return EvalReport(
            kind: "answers",
            title: "Answer checks (\(run.split) split)",
            seed: 0,
            inputs: inputs,
            metrics: metrics,
            charts: [Chart(title: "Precision and recall by check", bars: Array(metrics.dropFirst()))],
            notes: ["Targets: precision and recall ≥ 0.90 for every check."]
        )
    }
}
