import ArgumentParser
import Foundation
import HealthGround
import HealthRecords

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a space: exact vector search and BM25, fused by reciprocal rank."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space (one person).") var space: String
    @Option(name: .shortAndLong, help: "How many hits.") var k = 5
    @Flag(help: "Print hits as JSON.") var json = false
    @Argument(help: "The question or keywords.") var query: String

    func run() async throws {
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
        let hits = try await options.engine().space(space).search(query, k: k)
        if json {
            try printJSON(hits)
            return
        }
        if hits.isEmpty { print("no hits") }
        for hit in hits {
            let date = hit.chunk.date.map(FHIRDate.day) ?? "no date"
            print("[\(hit.rank)] \(hit.chunk.kind.displayName) · \(date) · score \(String(format: "%.4f", hit.score))")
            print("    \(hit.chunk.text.split(separator: "\n").first ?? "")")
            print("    cite: \(hit.citation)")
        }
    }
}
