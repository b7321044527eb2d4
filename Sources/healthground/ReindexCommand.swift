import ArgumentParser
import Foundation
import HealthGround
import RecordStore
import TextEmbedding

struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Re-embed spaces with the current embedder (resumable; atomic swap at the end).",
        discussion: """
            Each batch is committed to a shadow table, so a killed run continues where it stopped.
            Readers keep the old vectors until the swap. `--all --shard I/N` runs the I-th of N
            disjoint shares of the spaces (0-based), for a batch scheduler's array or indexed job.
            """
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space to reindex.") var space: String?
    @Flag(help: "Reindex every space in the data directory.") var all = false
    @Option(help: "With --all: I/N, this machine's share (0 ≤ I < N).") var shard: String?
    @Flag(help: "Print JSON progress lines and results.") var json = false

    func validate() throws {
        guard (space != nil) != all else { throw ValidationError("name --space ID or --all") }
        if shard != nil && !all { throw ValidationError("--shard goes with --all") }
        if let shard { _ = try Self.parseShard(shard) }
    }

    static func parseShard(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, index >= 0,
            index < count
        else { throw ValidationError("--shard is I/N with 0 ≤ I < N") }
        return (index, count)
    }

    func run() async throws {
        let engine = options.engine()
        var ids: [String]
        if let space { ids = [space] } else { ids = try await engine.spaceIDs() }
        if let shard {
            let (index, count) = try Self.parseShard(shard)
            ids = GroundingEngine.shard(ids, index: index, count: count)
        }
        let terminal = !json && isatty(STDERR_FILENO) != 0
        let target = engine.configuration.embedder.identity.description
        for id in ids {
            let handle = try await engine.space(id)
            let result = try await handle.reindex { done, total in
                if terminal {
                    let width = 30
                    let filled = total > 0 ? width * done / total : width
                    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                    FileHandle.standardError.write(Data("\r\u{1B}[K\(id) [\(bar)] \(done)/\(total)".utf8))
                } else if json {
                    print(#"{"space":"\#(id)","done":\#(done),"total":\#(total)}"#)
                }
            }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if json {
                print(
                    #"{"space":"\#(id)","embedded":\#(result.embedded),"resumed":\#(result.resumed),"#
                        + #""current":\#(result.alreadyCurrent),"embedder":"\#(target)"}"#
                )
            } else if result.alreadyCurrent {
                print("\(id): already embedded with \(target)")
            } else {
                print(
                    "\(id): \(result.embedded) chunks embedded (\(result.resumed) from an earlier run) with \(target)"
                )
            }
        }
    }
}
