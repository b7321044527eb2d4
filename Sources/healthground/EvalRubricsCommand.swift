import ArgumentParser
import Foundation
import GroundingEval
import Guardrails
import HealthGround
import HealthRecords

/// `healthground eval rubrics`: grades responses against HealthBench rubrics and writes a report.
struct EvalRubricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rubrics",
        abstract: "Grade responses against HealthBench rubrics (JSONL or one JSON per example).",
        discussion: """
            Responses come from --responses (JSONL: prompt_id, response), from the physicians' ideal \
            completions in the examples (--ideal), or from a model (--generate: HEALTHGROUND_ANSWER_BASE_URL, \
            HEALTHGROUND_ANSWER_MODEL, optional HEALTHGROUND_ANSWER_API_KEY), with --grounded adding the \
            records of each example's healthground_space as a system message. The grader is a chat-completions model when \
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
    @Flag(help: "Generate the responses with the HEALTHGROUND_ANSWER_* model.") var generate = false
    @Flag(help: "With --generate: ground each example in its healthground_space's records.") var grounded = false
    @Option(help: "auto (model when configured, else offline), offline, or model.") var grader: GraderChoice = .auto
    @Option(help: "The grade cache (default: <data-dir>/eval/grade-cache.jsonl).") var cache: String?
    @Option(help: "The report folder (default: eval-reports/rubrics-<time>).") var out: String?
    @Option(help: "Rubric items graded at once.") var concurrency = 8
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        guard [responses != nil, ideal, generate].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of --responses FILE, --ideal, --generate")
        }
        guard !grounded || generate else { throw ValidationError("--grounded goes with --generate") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
        let examplesURL = URL(fileURLWithPath: examples)
        let loaded = try RubricDataset.load(from: examplesURL)
        var inputs = [try InputChecksum.of(examplesURL)]
        let folder = out.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EvalProgress.defaultFolder("rubrics")
        let toGrade: [String: String]
        let label: String
        if generate {
            let generated = folder.appendingPathComponent("responses.jsonl")
            toGrade = try await generateResponses(for: loaded, into: generated)
            inputs.append(try InputChecksum.of(generated))
            label = grounded ? "grounded model responses" : "model responses"
        } else if let responses {
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

    /// Asks the answer model for every example (grounded when asked), writes `responses.jsonl`, and
    /// returns the responses by prompt id; examples whose answer failed are left out (and skipped).
    private func generateResponses(for examples: [RubricExample], into file: URL) async throws -> [String: String] {
        guard
            let configuration = try ResponseGenerator.configurationFromEnvironment(ProcessInfo.processInfo.environment)
        else {
            throw ValidationError("--generate needs HEALTHGROUND_ANSWER_BASE_URL and HEALTHGROUND_ANSWER_MODEL")
        }
        let generator = ResponseGenerator(configuration: configuration, concurrency: concurrency)
        let engine = options.engine()
        var grounding: (@Sendable (RubricExample) async throws -> String?)?
        if grounded {
            grounding = { @Sendable (example: RubricExample) async throws -> String? in
                try await Self.groundingText(for: example, engine: engine)
            }
        }
        let progress = EvalProgress(label: "answering")
        let outcomes = try await generator.respond(to: examples, grounding: grounding) { done, total in
            progress.report(done: done, total: total)
        }
        progress.finish()
        let failed = outcomes.filter { $0.response == nil }.count
        if failed > 0 { printError("warning: \(failed) examples got no answer from the model; they are skipped") }
        let answered = outcomes.compactMap { outcome in outcome.response.map { (outcome.promptID, $0) } }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ResponseFile.write(answered.map { (promptID: $0.0, response: $0.1) }, to: file)
        return Dictionary(answered, uniquingKeysWith: { first, _ in first })
    }

    /// The grounding of one example: the grounded context (safety line, snapshot, numbered evidence)
    /// that its space gives for the last user turn, with the earlier user turns as conversation; nil
    /// when the example names no space.
    private static func groundingText(for example: RubricExample, engine: GroundingEngine) async throws -> String? {
        guard let spaceID = example.space,
            let question = example.prompt.last(where: { $0.role == "user" })?.content
        else { return nil }
        let earlier = example.prompt.dropLast().filter { $0.role == "user" }.map { ConversationTurn.user($0.content) }
        let context = try await engine.space(spaceID).context(for: question, conversation: earlier)
        return context.renderedPrompt
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
