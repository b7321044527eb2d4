import ArgumentParser
import Foundation
import HealthGround
import RecordStore

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read record files and folders into a space (each file all or nothing)."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space (one person).") var space: String
    @Option(help: "Keep only this FHIR Patient's resources (for multi-patient bulk exports).") var patient: String?
    @Flag(help: "Print the report as JSON.") var json = false
    @Argument(help: "Files or folders.") var paths: [String]

    func run() async throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file or folder") }
        let urls = paths.map { URL(fileURLWithPath: $0) }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) {
            throw ValidationError("no such file or folder: \(url.path)")
        }
        let space = try await options.engine().space(space)
        let showProgress = !json && isatty(STDERR_FILENO) != 0
        let report = try await space.ingest(urls, patientID: patient) { done, total in
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[Kingesting \(done)/\(total) files".utf8)) }
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            try printJSON(report)
        } else {
            for file in report.files {
                let kinds = file.recordsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                var line = "\(file.outcome.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(file.file): "
                line += kinds.isEmpty ? "no records" : kinds.joined(separator: ", ")
                if file.outcome == .updated {
                    line += " (chunks +\(file.chunksAdded) −\(file.chunksRemoved) =\(file.chunksKept))"
                }
                let skipped = file.skippedTypes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                if !skipped.isEmpty { line += "; not modelled: " + skipped.joined(separator: ", ") }
                print(line)
            }
            let totals = report.recordsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print(
                "total: \(report.files.count) files; "
                    + (totals.isEmpty ? "no records" : totals.joined(separator: ", "))
            )
            if !report.ignoredFiles.isEmpty {
                print("ignored (no parser for them yet): \(report.ignoredFiles.count) files")
            }
        }
        for failure in report.failures { printError("error: \(failure.reason)") }
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}
