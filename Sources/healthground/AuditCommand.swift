import ArgumentParser
import Foundation
import HealthGround
import RecordStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List a space's audit trail: every read and write, with time, counts and caller (no content)."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space.") var space: String
    @Option(help: "Only the latest N entries.") var limit: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let entries = try await options.engine().space(space).auditTrail(limit: limit)
        if json {
            try printJSON(entries)
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for entry in entries {
            let counts = entry.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("\(formatter.string(from: entry.at))  \(entry.operation)  [\(entry.caller)]  \(counts)")
        }
    }
}
