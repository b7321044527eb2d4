public import Foundation
public import Guardrails
public import HealthRecords
public import Logging
public import RecordStore
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
    /// Triage and answer checks applied in ``HealthSpace/context(for:conversation:budget:asOf:now:)``;
    /// nil turns them off (not recommended).
    public var guardrails: Guardrails?
    /// Whether spaces are encrypted at rest (the default) or stored in clear (debugging, benchmarks).
    public var encryption: Encryption
    /// Where key-encryption keys come from; nil uses a ``FileKeyProvider`` over
    /// `<dataDirectory>/key-encryption.key` (created with 0600 permissions on first use).
    public var keyProvider: (any KeyProvider)?
    /// Who the spaces' audit trails name for this engine's reads and writes (a service name, a
    /// user's role; no health data). Defaults to the process name.
    public var callerLabel: String

    /// Encryption at rest of a space's content.
    public enum Encryption: Sendable, Hashable {
        /// AES-256-GCM under a per-space data key wrapped by the key provider's key (the default).
        case enabled
        /// Content in clear, files named by space id: for debugging and benchmark comparison only.
        case disabled
    }

    /// Creates a configuration.
    /// - Parameters:
    ///   - dataDirectory: the folder of spaces; see ``defaultDataDirectory(environment:)``.
    ///   - embedder: the embedder; when none is given, ``defaultEmbedder(modelDirectory:logger:)``
    ///     (all-MiniLM-L6-v2 when its files are installed, else the hashing embedder).
    ///   - logger: the logger; a no-op logger when none is given.
    public init(
        dataDirectory: URL = EngineConfiguration.defaultDataDirectory(),
        embedder: (any Embedder)? = nil,
        logger: Logger = Logger(label: "healthground", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.dataDirectory = dataDirectory
        let chosen = embedder ?? Self.defaultEmbedder(logger: logger)
        self.embedder = chosen
        self.logger = logger
        if let miniLM = chosen as? MiniLMEmbedder {
            // Narrative chunks are cut with the model's own tokenizer, to its 256-piece window.
            let tokenizer = miniLM.tokenizer
            self.chunker = RecordChunker(tokenCount: { tokenizer.pieceCount($0) })
        } else {
            self.chunker = RecordChunker()
        }
        self.encryption = .enabled
        self.keyProvider = nil
        self.callerLabel = ProcessInfo.processInfo.processName
        self.guardrails = Self.defaultGuardrails(embedder: chosen, logger: logger)
    }

    /// The shipped rules (`guardrail-rules.yaml`) in the default mode (unreviewed rules load, and
    /// every verdict says they await review), US escalation numbers; nil only if the bundled file
    /// cannot be read, which is logged as an error.
    /// - Parameter embedder: also matches messages against the rules' exemplars with this embedder
    ///   when the rules file holds a calibrated threshold for it (`embedding-thresholds`); otherwise
    ///   triage uses the patterns alone.
    public static func defaultGuardrails(
        locale: String = "US",
        embedder: (any Embedder)? = nil,
        logger: Logger = Logger(label: "healthground", factory: { _ in SwiftLogNoOpLogHandler() })
    ) -> Guardrails? {
        do {
            let rules = try RuleBook.bundled()
            let calibrated = embedder.flatMap { rules.embeddingThresholds[$0.identity.id] == nil ? nil : $0 }
            return try Guardrails(
                rules: rules,
                configuration: Guardrails.Configuration(locale: locale, embedder: calibrated)
            )
        } catch {
            logger.error("cannot load the bundled guardrail rules", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The store-level encryption setting this configuration stands for.
    public var spaceEncryption: SpaceEncryption {
        switch encryption {
        case .disabled: .disabled
        case .enabled: .enabled(keyProvider ?? FileKeyProvider(dataDirectory: dataDirectory))
        }
    }

    /// all-MiniLM-L6-v2 from `modelDirectory` when its weights are there and load; otherwise
    /// ``HashingEmbedder`` (a model that is present but fails to load is logged as a warning).
    /// - Parameters:
    ///   - modelDirectory: the model folder; ``ModelLocator/defaultDirectory(environment:executable:)``
    ///     when none is given.
    ///   - threads: the encoder's workers; one per core when none is given.
    ///   - logger: where a failure to load is reported (never health data).
    public static func defaultEmbedder(
        modelDirectory: URL = ModelLocator.defaultDirectory(),
        threads: Int? = nil,
        logger: Logger = Logger(label: "healthground", factory: { _ in SwiftLogNoOpLogHandler() })
    ) -> any Embedder {
        let weights = modelDirectory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else { return HashingEmbedder() }
        do {
            // One worker per core: a long ingest shares its batches out, a query splits its products.
            return try MiniLMEmbedder(
                modelDirectory: modelDirectory,
                threads: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
            )
        } catch {
            logger.warning(
                "cannot load the MiniLM model; using the hashing embedder",
                metadata: ["model": "\(modelDirectory.path)", "error": "\(error)"]
            )
            return HashingEmbedder()
        }
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
