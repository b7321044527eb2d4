import ArgumentParser
import Foundation
import HealthGround
import Logging

/// Options every command that opens spaces shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder of spaces (default: $HEALTHGROUND_DATA or ~/.healthground).")
    var dataDirectory: String?

    @Option(
        name: .customLong("model-dir"),
        help: "Folder of the all-MiniLM-L6-v2 files (default: ./models/all-MiniLM-L6-v2)."
    )
    var modelDirectory: String?

    var dataURL: URL {
        dataDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? EngineConfiguration.defaultDataDirectory()
    }

    var modelURL: URL {
        if let modelDirectory { return URL(fileURLWithPath: modelDirectory, isDirectory: true) }
        return ModelLocator.defaultDirectory()
    }

    /// - Parameter threads: the encoder's workers (one per core when nil).
    func engine(threads: Int? = nil) -> GroundingEngine {
        let embedder = EngineConfiguration.defaultEmbedder(
            modelDirectory: modelURL,
            threads: threads,
            logger: Self.logger
        )
        return GroundingEngine(
            configuration: EngineConfiguration(dataDirectory: dataURL, embedder: embedder, logger: Self.logger)
        )
    }

    static let logger: Logger = {
        var logger = Logger(label: "healthground")
        let level = ProcessInfo.processInfo.environment["HEALTHGROUND_LOG"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .warning
        return logger
    }()
}

/// Prints JSON to standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
