import ArgumentParser
import Foundation
import HealthGround
import RecordStore

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a source from a space, or a whole space, for good; prints a deletion receipt.",
        discussion: """
            With --source, the source's rows are deleted with secure_delete, the full-text index is
            merged and the write-ahead log truncated. Without it, the whole space is deleted: its data
            key is destroyed (crypto-shredding) and its files removed.
            """
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space.") var space: String
    @Option(help: "The source file or folder path, as ingested; without it the whole space goes.") var source: String?
    @Flag(help: "Print the receipt as JSON.") var json = false

    func run() async throws {
        let engine = options.engine()
        let receipt: DeletionReceipt?
        if let source {
            receipt = try await engine.space(space).deleteSource(URL(fileURLWithPath: source))
            if receipt == nil { throw ValidationError("the space has no source \(source)") }
        } else {
            receipt = try await engine.deleteSpace(space)
            if receipt == nil { throw ValidationError("there is no space \(space)") }
        }
        guard let receipt else { return }
        if json {
            try printJSON(receipt)
        } else {
            print(
                "deleted \(receipt.scope.rawValue) of space \(receipt.spaceID) at "
                    + "\(ISO8601DateFormatter().string(from: receipt.at)): \(receipt.sources) sources, "
                    + "\(receipt.records) records, \(receipt.chunks) chunks, \(receipt.vectors) vectors"
                    + (receipt.scope == .space ? ", \(receipt.auditEntries) audit entries" : "")
            )
            for measure in receipt.measures { print("  - \(measure)") }
        }
    }
}
