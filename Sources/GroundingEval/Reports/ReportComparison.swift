import Foundation

/// What changed between two reports: each metric's difference with its uncertainty.
public struct ReportComparison: Sendable, Hashable {
    /// One metric in both reports (or in one).
    public struct Row: Sendable, Hashable {
        /// The metric name.
        public var name: String
        /// The value in the first (baseline) report.
        public var baseline: Double?
        /// The value in the second (candidate) report.
        public var candidate: Double?
        /// candidate − baseline.
        public var difference: Double?
        /// √(std_a² + std_b²), when both have a standard deviation.
        public var standardError: Double?

        /// Whether the difference exceeds twice its standard error (≈ 95 % for a normal difference).
        public var isClear: Bool {
            guard let difference, let standardError, standardError > 0 else { return false }
            return abs(difference) > 2 * standardError
        }
    }

    /// The rows, in the baseline's metric order, then metrics only the candidate has.
    public var rows: [Row]
    /// Warnings: different graders, inputs or kinds make the numbers hard to compare.
    public var warnings: [String]

    /// Compares two reports.
    public init(baseline: EvalReport, candidate: EvalReport) {
        var rows: [Row] = []
        var names = baseline.metrics.map(\.name)
        names += candidate.metrics.map(\.name).filter { !names.contains($0) }
        for name in names {
            let a = baseline.metric(name)
            let b = candidate.metric(name)
            var row = Row(name: name, baseline: a?.value, candidate: b?.value)
            if let a, let b {
                row.difference = b.value - a.value
                if let sa = a.standardDeviation, let sb = b.standardDeviation {
                    row.standardError = (sa * sa + sb * sb).squareRoot()
                }
            }
            rows.append(row)
        }
        self.rows = rows
        var warnings: [String] = []
        if baseline.kind != candidate.kind { warnings.append("different kinds: \(baseline.kind) vs \(candidate.kind)") }
        if baseline.grader != candidate.grader {
            warnings.append(
                "different graders: \(baseline.grader?.description ?? "none") vs \(candidate.grader?.description ?? "none")"
            )
        }
        if baseline.grader?.isApproximate == true || candidate.grader?.isApproximate == true {
            warnings.append("an approximate (offline) grader is involved: differences are indicative only")
        }
        let inputsA = Set(baseline.inputs.map(\.sha256))
        let inputsB = Set(candidate.inputs.map(\.sha256))
        if inputsA != inputsB { warnings.append("the inputs differ (checksums): numbers may not be comparable") }
        self.warnings = warnings
    }

    /// A plain-text table.
    public var text: String {
        var lines = warnings.map { "warning: \($0)" }
        let width = max(rows.map(\.name.count).max() ?? 6, 6)
        lines.append(
            "metric".padding(toLength: width, withPad: " ", startingAt: 0) + "   baseline  candidate     change   ± se"
        )
        for row in rows {
            func cell(_ value: Double?, signed: Bool = false) -> String {
                guard let value else { return "—".leftPadded(10) }
                return ((signed && value >= 0 ? "+" : "") + ReportWriter.format(value)).leftPadded(10)
            }
            var line = row.name.padding(toLength: width, withPad: " ", startingAt: 0) + " "
            line += cell(row.baseline) + " " + cell(row.candidate) + " " + cell(row.difference, signed: true)
            line += " " + (row.standardError.map { ReportWriter.format($0) } ?? "")
            if row.isClear { line += "  *" }
            lines.append(line)
        }
        lines.append("* the change exceeds twice its standard error")
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
