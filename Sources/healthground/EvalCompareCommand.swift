import ArgumentParser
import Foundation
import GroundingEval

/// `healthground eval compare A B`: what changed between two reports, with its uncertainty.
struct EvalCompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two report.json files (or report folders): each metric's change ± standard error."
    )

    @Argument(help: "The baseline report (report.json or its folder).") var baseline: String
    @Argument(help: "The candidate report (report.json or its folder).") var candidate: String
    @Flag(help: "Print the comparison as JSON.") var json = false

    func run() async throws {
        let comparison = ReportComparison(baseline: try Self.read(baseline), candidate: try Self.read(candidate))
        if json {
            try printJSON(
                comparison.rows.map {
                    Row(
                        name: $0.name,
                        baseline: $0.baseline,
                        candidate: $0.candidate,
                        difference: $0.difference,
                        standardError: $0.standardError,
                        clear: $0.isClear
                    )
                }
            )
            for warning in comparison.warnings { printError("warning: \(warning)") }
        } else {
            print(comparison.text)
        }
    }

    private struct Row: Encodable {
        var name: String
        var baseline: Double?
        var candidate: Double?
        var difference: Double?
        var standardError: Double?
        var clear: Bool
    }

    private static func read(_ path: String) throws -> EvalReport {
        var url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url.appendPathComponent("report.json")
        }
        return try ReportWriter.read(url)
    }
}
