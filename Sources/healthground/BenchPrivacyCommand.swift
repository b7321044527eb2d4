import ArgumentParser
import Foundation
import HealthGround
import Logging
import RecordStore
import TextEmbedding

/// `healthground bench-privacy`: the cost of encryption at rest, encrypted against in clear, on the
/// same documents (for `scripts/bench/privacy.sh`; hidden from the help).
struct BenchPrivacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-privacy",
        abstract: "Time ingest, cold open and queries of a space encrypted and in clear.",
        shouldDisplay: false
    )

    @Option(help: "A BEIR corpus.jsonl (one chunk per document).") var corpus: String
    @Option(help: "A BEIR queries.jsonl.") var queries: String
    @Option(help: "Documents to ingest.") var documents = 5_000
    @Option(help: "Queries to time per mode.") var count = 300
    @Option(help: "A scratch folder (emptied).") var scratch: String

    func run() async throws {
        let docs = try Self.lines(corpus).prefix(documents).map { object in
            TextDocument(
                id: object["_id"] as? String ?? "",
                title: object["title"] as? String ?? "",
                text: object["text"] as? String ?? ""
            )
        }
        let questions = try Self.lines(queries).prefix(count).compactMap { $0["text"] as? String }
        for encryption in [EngineConfiguration.Encryption.disabled, .enabled] {
            let folder = URL(fileURLWithPath: scratch).appendingPathComponent("\(encryption)")
            try? FileManager.default.removeItem(at: folder)
            var configuration = EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder(dimension: 384))
            configuration.encryption = encryption
            configuration.callerLabel = "bench"

            // The ingesting engine is closed before the cold opens, as a server reopening a space would
            // find it (no other connection to the file in the process).
            let ingestStart = ContinuousClock.now
            do {
                let space = try await GroundingEngine(configuration: configuration).space("bench")
                try await space.ingest(documents: docs, source: "corpus")
            }
            let ingest = ContinuousClock.now - ingestStart

            // Cold open: a new store on the file, its data key unwrapped, every vector decrypted into
            // the matrix (the file is in the page cache, as for a server that reopens a space). The
            // first open after the ingest reads the rows one by one and has the vector snapshot
            // written in the background (awaited before the next open, untimed); the next ones read it.
            let directory = try SpaceDirectory(
                folder: folder.appendingPathComponent("spaces"),
                encryption: configuration.spaceEncryption
            )
            let url = directory.databaseURL(forSpace: "bench")
            var opens: [Duration] = []
            var chunks = 0
            for _ in 0..<7 {
                let start = ContinuousClock.now
                let store = try SpaceStore(
                    url: url,
                    logger: Logger(label: "bench"),
                    encryption: configuration.spaceEncryption
                )
                chunks = try store.loadVectors(for: configuration.embedder.identity).rowIDs.count
                opens.append(ContinuousClock.now - start)
                store.waitForVectorSnapshot()  // written in the background after the first open
            }

            let space = try await GroundingEngine(configuration: configuration).space("bench")
            _ = try await space.search("warm up", k: 10)
            var lexical: [Duration] = []
            var hybrid: [Duration] = []
            for question in questions {
                var start = ContinuousClock.now
                _ = try await space.search(question, k: 10, mode: .lexical)
                lexical.append(ContinuousClock.now - start)
                start = ContinuousClock.now
                _ = try await space.search(question, k: 10, mode: .hybrid)
                hybrid.append(ContinuousClock.now - start)
            }
            let bytes = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
                .reduce(0) { total, name in
                    let path = url.deletingLastPathComponent().appendingPathComponent(name).path
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                    return total + size
                }
            print(
                "encryption=\(encryption) chunks=\(chunks) ingest=\(Self.ms(ingest)) ms "
                    + "first open after ingest (rows read)=\(Self.ms(opens[0])) ms "
                    + "open+load p50=\(Self.ms(Self.median(Array(opens.dropFirst())))) ms "
                    + "min=\(Self.ms(opens.dropFirst().min()!)) ms "
                    + "lexical p50=\(Self.ms(Self.median(lexical))) ms hybrid p50=\(Self.ms(Self.median(hybrid))) ms "
                    + "p90=\(Self.ms(Self.percentile(hybrid, 0.9))) ms files=\(bytes / 1024) KiB"
            )
        }
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func median(_ values: [Duration]) -> Duration { percentile(values, 0.5) }

    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func ms(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
