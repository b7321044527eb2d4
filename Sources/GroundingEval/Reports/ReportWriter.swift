public import Foundation

/// Writes a report as `report.json`, `report.md` and a self-contained `report.html` (inline SVG charts,
/// no scripts, no external files).
public enum ReportWriter {
    /// Writes the three files into a folder (created when missing).
    /// - Returns: the URLs written.
    /// - Throws: ``EvalError`` when a file cannot be written.
    @discardableResult
    public static func write(_ report: EvalReport, to folder: URL) throws -> [URL] {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let files = [
                (folder.appendingPathComponent("report.json"), try json(report)),
                (folder.appendingPathComponent("report.md"), Data(markdown(report).utf8)),
                (folder.appendingPathComponent("report.html"), Data(html(report).utf8)),
            ]
            for (url, data) in files { try data.write(to: url, options: .atomic) }
            return files.map(\.0)
        } catch let error as EvalError {
            throw error
        } catch {
            throw EvalError(.report, "cannot write the report into \(folder.path)", underlying: error)
        }
    }

    /// The report as pretty, key-sorted JSON.
    public static func json(_ report: EvalReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(report)
    }

    /// Reads a `report.json`.
    /// - Throws: ``EvalError`` when the file is not a report.
    public static func read(_ url: URL) throws -> EvalReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(EvalReport.self, from: InputFiles.contents(of: url))
        } catch let error as EvalError {
            throw error
        } catch {
            throw EvalError(.report, "\(url.lastPathComponent) is not a HealthGround report", underlying: error)
        }
    }

    // MARK: - Markdown

    /// The report as Markdown.
    public static func markdown(_ report: EvalReport) -> String {
        var lines = ["# \(report.title)", ""]
        for note in report.notes { lines.append("> \(note)") }
        if !report.notes.isEmpty { lines.append("") }
        lines.append("- kind: \(report.kind)")
        lines.append("- created: \(ISO8601DateFormatter().string(from: report.createdAt))")
        lines.append("- HealthGround: \(report.healthGroundVersion)")
        lines.append("- seed: \(report.seed)")
        if let grader = report.grader { lines.append("- grader: \(grader)") }
        for input in report.inputs { lines.append("- input: `\(input.path)` sha256 `\(input.sha256)`") }
        lines += ["", "| metric | value | ± std | n |", "| --- | ---: | ---: | ---: |"]
        for metric in report.metrics {
            lines.append(
                "| \(metric.name) | \(format(metric.value)) | \(metric.standardDeviation.map(format) ?? "") | "
                    + "\(metric.count.map(String.init) ?? "") |"
            )
        }
        if let matrix = report.confusionMatrix {
            lines += ["", "## Confusion matrix (rows \(matrix.rowTitle), columns \(matrix.columnTitle))", ""]
            lines.append("| | " + matrix.labels.joined(separator: " | ") + " |")
            lines.append("| --- |" + String(repeating: " ---: |", count: matrix.labels.count))
            for (label, row) in zip(matrix.labels, matrix.counts) {
                lines.append("| \(label) | " + row.map(String.init).joined(separator: " | ") + " |")
            }
        }
        if let byType = report.byQueryType, !byType.isEmpty {
            let names = Array(Set(byType.values.flatMap(\.keys))).sorted()
            lines += ["", "## By query type", "", "| type | " + names.joined(separator: " | ") + " |"]
            lines.append("| --- |" + String(repeating: " ---: |", count: names.count))
            for (type, values) in byType.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    "| \(type) | " + names.map { values[$0].map(format) ?? "" }.joined(separator: " | ") + " |"
                )
            }
        }
        if let run = report.rubric {
            lines += ["", "## Examples", "", "| prompt id | score | unknown items |", "| --- | ---: | ---: |"]
            for example in run.examples {
                let unknown = example.items.filter { $0.met == nil }.count
                lines.append("| \(example.promptID) | \(example.score.map(format) ?? "—") | \(unknown) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - HTML

    /// The report as one self-contained HTML page.
    public static func html(_ report: EvalReport) -> String {
        var body = "<h1>\(escape(report.title))</h1>\n"
        for note in report.notes {
            let approximate = note.hasPrefix("APPROXIMATE")
            body += "<p class=\"\(approximate ? "warn" : "note")\">\(escape(note))</p>\n"
        }
        body += "<ul>"
        body += "<li>kind: \(escape(report.kind))</li>"
        body += "<li>created: \(escape(ISO8601DateFormatter().string(from: report.createdAt)))</li>"
        body += "<li>HealthGround: \(escape(report.healthGroundVersion))</li><li>seed: \(report.seed)</li>"
        if let grader = report.grader { body += "<li>grader: \(escape(grader.description))</li>" }
        for input in report.inputs {
            body += "<li>input: <code>\(escape(input.path))</code> sha256 <code>\(input.sha256)</code></li>"
        }
        body += "</ul>\n<h2>Metrics</h2>\n<table><tr><th>metric</th><th>value</th><th>± std</th><th>n</th></tr>"
        for metric in report.metrics {
            body +=
                "<tr><td>\(escape(metric.name))</td><td>\(format(metric.value))</td>"
                + "<td>\(metric.standardDeviation.map(format) ?? "")</td><td>\(metric.count.map(String.init) ?? "")</td></tr>"
        }
        body += "</table>\n"
        for chart in report.charts where !chart.bars.isEmpty {
            body += "<h2>\(escape(chart.title))</h2>\n" + svgBars(chart) + "\n"
        }
        body += "<h2>Confusion matrix</h2>\n"
        if let matrix = report.confusionMatrix {
            body += confusionTable(matrix)
        } else {
            body += "<p class=\"note\">Not part of this evaluation.</p>\n"
        }
        body += "<h2>Retrieval by query type</h2>\n"
        if let byType = report.byQueryType, !byType.isEmpty {
            let names = Array(Set(byType.values.flatMap(\.keys))).sorted()
            body += "<table><tr><th>type</th>" + names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
            for (type, values) in byType.sorted(by: { $0.key < $1.key }) {
                body +=
                    "<tr><td>\(escape(type))</td>" + names.map { "<td>\(values[$0].map(format) ?? "")</td>" }.joined()
                    + "</tr>"
            }
            body += "</table>\n"
        } else {
            body += "<p class=\"note\">Not part of this evaluation.</p>\n"
        }
        if let run = report.rubric {
            body += "<h2>Examples</h2>\n<table><tr><th>prompt id</th><th>score</th><th>met</th><th>unknown</th></tr>"
            for example in run.examples {
                let met = example.items.filter { $0.met == true }.count
                let unknown = example.items.filter { $0.met == nil }.count
                body +=
                    "<tr><td><code>\(escape(example.promptID))</code></td><td>\(example.score.map(format) ?? "—")</td>"
                    + "<td>\(met)/\(example.items.count)</td><td>\(unknown)</td></tr>"
            }
            body += "</table>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(report.title))</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
            table { border-collapse: collapse; margin: 1rem 0; } td, th { border: 1px solid #ccc; padding: .25rem .5rem; }
            td { text-align: right; } td:first-child { text-align: left; }
            .warn { background: #fff3cd; border: 1px solid #e0b000; padding: .5rem; font-weight: bold; }
            .note { color: #555; }
            </style></head>
            <body>
            \(body)</body></html>

            """
    }

    /// A horizontal bar chart, values in [0, 1], with ±1 std error bars.
    static func svgBars(_ chart: EvalReport.Chart) -> String {
        let labelWidth = 300.0
        let plotWidth = 400.0
        let rowHeight = 22.0
        let height = Double(chart.bars.count) * rowHeight + 30
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + plotWidth + 60))\" "
            + "height=\"\(Int(height))\" role=\"img\" aria-label=\"\(escape(chart.title))\">"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let x = labelWidth + tick * plotWidth
            svg += "<line x1=\"\(x)\" y1=\"0\" x2=\"\(x)\" y2=\"\(height - 20)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(x)\" y=\"\(height - 5)\" font-size=\"11\" text-anchor=\"middle\">\(tick)</text>"
        }
        for (index, bar) in chart.bars.enumerated() {
            let y = Double(index) * rowHeight + 4
            let value = min(max(bar.value, 0), 1)
            svg +=
                "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" font-size=\"12\" text-anchor=\"end\">\(escape(bar.name))</text>"
            svg +=
                "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(value * plotWidth)\" height=\"16\" fill=\"#4a7ebb\"/>"
            if let std = bar.standardDeviation {
                let low = labelWidth + max(value - std, 0) * plotWidth
                let high = labelWidth + min(value + std, 1) * plotWidth
                let middle = y + 8
                svg += "<line x1=\"\(low)\" y1=\"\(middle)\" x2=\"\(high)\" y2=\"\(middle)\" stroke=\"#000\"/>"
                svg += "<line x1=\"\(low)\" y1=\"\(middle - 5)\" x2=\"\(low)\" y2=\"\(middle + 5)\" stroke=\"#000\"/>"
                svg += "<line x1=\"\(high)\" y1=\"\(middle - 5)\" x2=\"\(high)\" y2=\"\(middle + 5)\" stroke=\"#000\"/>"
            }
            svg +=
                "<text x=\"\(labelWidth + plotWidth + 8)\" y=\"\(y + 13)\" font-size=\"11\">\(format(bar.value))</text>"
        }
        return svg + "</svg>"
    }

    private static func confusionTable(_ matrix: EvalReport.ConfusionMatrix) -> String {
        let largest = max(matrix.counts.flatMap { $0 }.max() ?? 1, 1)
        var html = "<table><tr><th>\(escape(matrix.rowTitle)) \\ \(escape(matrix.columnTitle))</th>"
        html += matrix.labels.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for (rowIndex, row) in matrix.counts.enumerated() {
            let label = rowIndex < matrix.labels.count ? matrix.labels[rowIndex] : "?"
            html += "<tr><td>\(escape(label))</td>"
            for (columnIndex, count) in row.enumerated() {
                let alpha = Double(count) / Double(largest) * 0.8
                let hue = rowIndex == columnIndex ? "74,126,187" : "200,60,60"
                html += "<td style=\"background: rgba(\(hue),\(format(alpha)))\">\(count)</td>"
            }
            html += "</tr>"
        }
        return html + "</table>\n"
    }

    /// A number as reports print it (four decimals).
    public static func formatted(_ value: Double) -> String { format(value) }

    static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
