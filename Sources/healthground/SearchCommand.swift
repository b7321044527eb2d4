public import ArgumentParser
import Foundation
public import HealthGround
public import HealthRecords
import RecordStore

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a space: exact vector search and BM25, fused (filters apply before top-k)."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space (one person).") var space: String
    @Option(name: .shortAndLong, help: "How many hits.") var k = 5
    @Option(help: "dense, lexical or hybrid.") var mode: SearchMode = .hybrid
    @Option(help: "convex or rrf (hybrid mode).") var fusion = "convex"
    @Option(help: "exact, or int8 (approximate, rescored).") var scan: ScanKind = .exact
    @Option(name: .customLong("kind"), help: "Keep only this record kind (repeatable).") var kinds: [RecordKind] = []
    @Option(help: "Keep only this code, bare or SYSTEM|CODE (repeatable).") var code: [String] = []
    @Option(help: "Keep only this status (repeatable).") var status: [String] = []
    @Option(help: "Keep records dated on or after this day (YYYY-MM-DD).") var from: String?
    @Option(help: "Keep records dated on or before this day (YYYY-MM-DD).") var to: String?
    @Flag(help: "Print hits as JSON.") var json = false
    @Argument(help: "The question or keywords.") var query: String

    func run() async throws {
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
        let method: FusionMethod
        switch fusion {
        case "rrf": method = .reciprocalRank(constant: 60)
        case "convex": method = .convex(denseWeight: 0.5)
        default: throw ValidationError("--fusion is rrf or convex")
        }
        func day(_ text: String?, end: Bool) throws -> Date? {
            guard let text else { return nil }
            guard text.count == 10, let date = FHIRDate.parse(text) else {
                throw ValidationError("dates are YYYY-MM-DD")
            }
            return end ? date.addingTimeInterval(86_399) : date
        }
        let filter = SearchFilter(
            kinds: kinds.isEmpty ? nil : Set(kinds),
            from: try day(from, end: false),
            to: try day(to, end: true),
            codes: code.isEmpty ? nil : Set(code),
            statuses: status.isEmpty ? nil : Set(status)
        )
        let hits = try await options.engine().space(space)
            .search(query, k: k, filter: filter, mode: mode, fusion: method, scan: scan)
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

extension SearchMode: ExpressibleByArgument {}
extension ScanKind: ExpressibleByArgument {}
extension RecordKind: ExpressibleByArgument {}
