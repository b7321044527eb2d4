import ArgumentParser
import Foundation
import GroundingEval

/// `healthground eval rubrics`: grades responses against HealthBench rubrics and writes a report.
struct EvalRubricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rubrics",
        abstract: "Grade responses against HealthBench rubrics (JSONL or one JSON per example).",
        discussion: """
            Responses come from --responses (JSONL: prompt_id, response) or, with --ideal, from the \
            physicians' ideal completions in the examples. The grader is a chat-completions model when \
            HEALTHGROUND_GRADER_BASE_URL and HEALTHGROUND_GRADER_MODEL are set (HEALTHGROUND_GRADER_API_KEY \
            optional), else the offline lexical grader, whose scores every report labels approximate. \
            Grades are cached, so an interrupted run resumes where it stopped and a rerun costs nothing.
            """
    )

    enum GraderChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, offline, model
    }

    @OptionGroup var options: CommonOptions
    @Option(help: "HealthBench examples: a .jsonl file, a .json file or a folder of them.") var examples: String
    @Option(help: "Responses to grade (JSONL with prompt_id and response).") var responses: String?
    @Flag(help: "Grade the physicians' ideal completions (measures the grader).") var ideal = false
    @Option(help: "auto (model when configured, else offline), offline, or model.") var grader: GraderChoice = .auto
    @Option(help: "The grade cache (default: <data-dir>/eval/grade-cache.jsonl).") var cache: String?
    @Option(help: "The report folder (default: eval-reports/rubrics-<time>).") var out: String?
    @Option(help: "Rubric items graded at once.") var concurrency = 8
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        guard (responses == nil) != !ideal else { throw ValidationError("give either --responses FILE or --ideal") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
        let examplesURL = URL(fileURLWithPath: examples)
        let loaded = try RubricDataset.load(from: examplesURL)
        var inputs = [try InputChecksum.of(examplesURL)]
        let toGrade: [String: String]
        let label: String
        if let responses {
            let url = URL(fileURLWithPath: responses)
            toGrade = try ResponseFile.load(from: url)
            inputs.append(try InputChecksum.of(url))
            label = "responses in \(url.lastPathComponent)"
        } else {
            toGrade = RubricEvaluation.idealCompletions(of: loaded)
            label = "ideal completions"
        }
        let base = try makeGrader()
        if base.identity.isApproximate {
            printError("note: no model grader configured; grading with the offline lexical grader (approximate)")
        }
        let cacheURL =
            cache.map { URL(fileURLWithPath: $0) }
            ?? options.dataURL.appendingPathComponent("eval", isDirectory: true).appendingPathComponent(
                "grade-cache.jsonl"
            )
        let gradeCache = try GradeCache(url: cacheURL)
        let evaluation = RubricEvaluation(
            grader: CachingGrader(base: base, cache: gradeCache),
            concurrency: concurrency,
            seed: seed
        )
        let progress = EvalProgress(label: "grading")
        let run = await evaluation.run(loaded, responses: toGrade) { state in
            progress.report(
                done: state.done,
                total: state.total,
                extra: ["cached": state.cached, "unknown": state.unknown]
            )
        }
        progress.finish()
        let report = EvalReport.rubrics(run, grader: base.identity, inputs: inputs, responses: label)
        let folder = out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EvalProgress.defaultFolder("rubrics")
        try ReportWriter.write(report, to: folder)
        if json {
            print(String(decoding: try ReportWriter.json(report), as: UTF8.self))
            return
        }
        for note in report.notes { print(note) }
        if let overall = run.overall {
            print(
                "overall: \(ReportWriter.formatted(overall.mean)) ± \(ReportWriter.formatted(overall.standardDeviation)) over \(overall.count) examples"
            )
        }
        if let positive = run.positiveMetShare {
            print(
                "positive criteria met: \(ReportWriter.formatted(positive))"
                    + (ideal ? " (agreement with the physicians' ideal completions)" : "")
            )
        }
        if let negative = run.negativeMetShare { print("negative criteria met: \(ReportWriter.formatted(negative))") }
        print("report: \(folder.path)/report.{json,md,html}")
    }

    private func makeGrader() throws -> any Grader {
        let configuration = try ChatCompletionsGrader.Configuration.fromEnvironment()
        switch grader {
        case .offline:
            return OfflineGrader()
        case .model:
            guard let configuration else {
                throw ValidationError("--grader model needs HEALTHGROUND_GRADER_BASE_URL and HEALTHGROUND_GRADER_MODEL")
            }
            return ChatCompletionsGrader(configuration: configuration)
        case .auto:
            return configuration.map { ChatCompletionsGrader(configuration: $0) } ?? OfflineGrader()
        }
    }
}

/// Progress of a long evaluation on standard error: one updating line on a terminal, JSON lines
/// otherwise (for logs and batch schedulers).
struct EvalProgress: Sendable {
    let label: String
    let isTerminal = isatty(STDERR_FILENO) != 0

    func report(done: Int, total: Int, extra: [String: Int] = [:]) {
        if isTerminal {
            let details = extra.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let text = "\r\u{1B}[K\(label) \(done)/\(total)" + (details.isEmpty ? "" : " (\(details))")
            FileHandle.standardError.write(Data(text.utf8))
        } else if done == total || done % 50 == 0 {
            var fields = extra.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
            fields.insert(contentsOf: ["\"progress\":\"\(label)\"", "\"done\":\(done)", "\"total\":\(total)"], at: 0)
            FileHandle.standardError.write(Data(("{" + fields.joined(separator: ",") + "}\n").utf8))
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// `eval-reports/<kind>-<UTC time>` under the current folder.
    static func defaultFolder(_ kind: String) -> URL {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return URL(fileURLWithPath: "eval-reports", isDirectory: true)
            .appendingPathComponent("\(kind)-\(formatter.string(from: Date()))", isDirectory: true)
    }
}
