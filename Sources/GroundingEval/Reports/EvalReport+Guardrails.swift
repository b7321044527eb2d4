public import Guardrails

extension EvalReport {
    /// The report of a triage evaluation: for each part, accuracy, recall per level, safety rate,
    /// over-triage and emergencies triaged as self-care; the expected × found confusion matrix of the
    /// last part (the test part when both are given); and every miss with its red flag.
    /// - Parameters:
    ///   - parts: one report per part, development first (`dev`, `test`), or a single report.
    ///   - inputs: checksums of the case files.
    ///   - embedder: the exemplar net's embedder (`none`, `hashing`, `minilm`).
    public static func triage(_ parts: [TriageReport], inputs: [InputChecksum], embedder: String) -> EvalReport {
        let levels = TriageLevel.allCases.reversed().map(\.self)
        var metrics: [Metric] = []
        var notes = [
            "Targets: emergency and crisis recall ≥ 0.98, accuracy ≥ 0.85, self-care over-triage ≤ 0.25, "
                + "no emergency triaged self-care. Rules, lexicons and thresholds change only while reading the "
                + "dev part; the test part is held out and only reported."
        ]
        for run in parts {
            let prefix = parts.count > 1 ? "\(run.split): " : ""
            metrics += [
                Metric(name: prefix + "accuracy", value: run.accuracy, count: run.count),
                Metric(name: prefix + "safety rate", value: run.safetyRate, count: run.count),
                Metric(name: prefix + "self-care over-triage", value: run.selfCareOverTriage),
                Metric(name: prefix + "emergencies triaged self-care", value: Double(run.emergencyAsSelfCare)),
            ]
            for level in levels {
                if let recall = run.recall[level.rawValue] {
                    metrics.append(
                        Metric(name: prefix + "recall \(level)", value: recall, count: run.support[level.rawValue])
                    )
                }
            }
            notes.append("\(run.split) part (\(run.count) cases): targets " + (run.meetsTargets ? "met." : "NOT met."))
            for miss in run.misses {
                var line = "\(run.split) miss \(miss.id): expected \(miss.expected), got \(miss.predicted)"
                if let flag = miss.redFlag, !flag.isEmpty { line += " (red flag: \(flag))" }
                if !miss.firedRules.isEmpty { line += " [\(miss.firedRules.joined(separator: ", "))]" }
                notes.append(line)
            }
        }
        let last = parts.last
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        var counts = Array(repeating: Array(repeating: 0, count: levels.count), count: levels.count)
        if let last {
            for level in levels {
                let support = last.support[level.rawValue] ?? 0
                let found = Int(((last.recall[level.rawValue] ?? 0) * Double(support)).rounded())
                if let row = index[level] { counts[row][row] = found }
            }
            for miss in last.misses {
                if let row = index[miss.expected], let column = index[miss.predicted] { counts[row][column] += 1 }
            }
        }
        let partNames = parts.map(\.split).joined(separator: " and ")
        return EvalReport(
            kind: "triage",
            title: "Triage (\(partNames), embedder \(embedder))",
            seed: 0,
            inputs: inputs,
            metrics: metrics,
            charts: [Chart(title: "Recall by level", bars: metrics.filter { $0.name.contains("recall") })],
            confusionMatrix: ConfusionMatrix(
                labels: levels.map(\.description),
                counts: counts,
                rowTitle: "expected (\(last?.split ?? "") part)"
            ),
            notes: notes
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
