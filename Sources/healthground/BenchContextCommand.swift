import ArgumentParser
import Foundation
import HealthGround

/// `healthground bench-context`: times `context(for:)` end to end (query embedding included).
/// Used by `scripts/bench/context.sh`; hidden from help.
struct BenchContextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-context",
        abstract: "Time context(for:) on a space: p50/p99 latency, query embedding included.",
        shouldDisplay: false
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space.") var space: String
    @Option(help: "A file with one question per line, or a BEIR queries.jsonl.") var queries: String
    @Option(help: "Passes over the questions.") var passes = 5
    @Option(help: "Token budget.") var budget = 1_500
    @Option(help: "Encoder workers (default: one per core); set OPENBLAS_NUM_THREADS to match.") var threads: Int?
    @Flag(help: "Only print the space's chunk count.") var countOnly = false

    func run() async throws {
        let text = try String(contentsOfFile: queries, encoding: .utf8)
        let questions: [String] = text.split(separator: "\n").compactMap { line in
            if line.hasPrefix("{") {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return object?["text"] as? String
            }
            return line.isEmpty ? nil : String(line)
        }
        guard !questions.isEmpty else { throw ValidationError("no questions in \(queries)") }
        let handle = try await options.engine(threads: threads).space(space)
        let chunks = try await handle.chunkCounts().values.reduce(0, +)
        if countOnly {
            print(chunks)
            return
        }
        _ = try await handle.context(for: questions[0], budget: budget)  // warm: loads vectors
        var samples: [Double] = []
        for _ in 0..<passes {
            for question in questions {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try await handle.context(for: question, budget: budget)
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        print(
            #"{"chunks":\#(chunks),"queries":\#(samples.count),"p50_ms":\#(String(format: "%.2f", percentile(0.5))),"#
                + #""p99_ms":\#(String(format: "%.2f", percentile(0.99))),"embedder":"\#(handle.embedderDescription)"}"#
        )
    }
}
