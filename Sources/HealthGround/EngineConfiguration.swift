public import Foundation
public import HealthRecords
public import Logging
public import TextEmbedding

/// How a ``GroundingEngine`` is set up: where spaces live, which embedder, which logger.
public struct EngineConfiguration: Sendable {
    /// The folder that holds one database per space.
    public var dataDirectory: URL
    /// The embedder for chunks and queries.
    public var embedder: any Embedder
    /// Where the engine logs (never health data).
    public var logger: Logger
    /// How records become chunks (token counting for narrative splits).
    public var chunker: RecordChunker

    /// Creates a configuration.
    /// - Parameters:
    ///   - dataDirectory: the folder of spaces; see ``defaultDataDirectory(environment:)``.
    ///   - embedder: the embedder; the hashing embedder when none is given.
    ///   - logger: the logger; a no-op logger when none is given.
    public init(
        dataDirectory: URL = EngineConfiguration.defaultDataDirectory(),
        embedder: any Embedder = HashingEmbedder(),
        logger: Logger = Logger(label: "healthground", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.dataDirectory = dataDirectory
        self.embedder = embedder
        self.logger = logger
        self.chunker = RecordChunker()
    }

    /// `$HEALTHGROUND_DATA` when set, else `~/.healthground`.
    public static func defaultDataDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let path = environment["HEALTHGROUND_DATA"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
            ".healthground",
            isDirectory: true
        )
    }
}
