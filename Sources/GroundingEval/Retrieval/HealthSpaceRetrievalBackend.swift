import Foundation
public import HealthGround
import HealthRecords
import TextEmbedding

/// Runs a BEIR benchmark through HealthGround itself: the documents are indexed into a scratch space
/// (one chunk each, embedded with the engine's embedder, FTS5-indexed), and queries go through
/// ``HealthSpace/search(_:k:filter:mode:fusion:scan:)`` in the chosen mode.
public actor HealthSpaceRetrievalBackend: RetrievalBackend {
    public nonisolated let name: String
    private let engine: GroundingEngine
    private let mode: SearchMode
    private let fusion: FusionMethod
    private let scan: ScanKind
    private var space: HealthSpace?

    /// Creates a backend over a scratch space in `configuration.dataDirectory`.
    public init(configuration: EngineConfiguration, mode: SearchMode, fusion: FusionMethod, scan: ScanKind = .exact) {
        self.engine = GroundingEngine(configuration: configuration)
        self.mode = mode
        self.fusion = fusion
        self.scan = scan
        let fusionName: String
        switch fusion {
        case .reciprocalRank(let constant): fusionName = "rrf k=\(Int(constant))"
        case .convex(let weight): fusionName = "convex w=\(weight)"
        }
        self.name =
            "healthground \(mode.rawValue)\(mode == .hybrid ? " (\(fusionName))" : "") · "
            + configuration.embedder.identity.description
    }

    public func index(_ documents: [BEIRDataset.Document], progress: (@Sendable (Int, Int) -> Void)?) async throws {
        let space = try await engine.space("beir")
        try await space.ingest(
            documents: documents.map { TextDocument(id: $0.id, title: $0.title, text: $0.text) },
            source: "beir-corpus",
            progress: progress
        )
        self.space = space
    }

    public func search(_ query: String, k: Int) async throws -> [String] {
        guard let space else { return [] }
        return try await space.search(query, k: k, mode: mode, fusion: fusion, scan: scan).map(
            \.chunk.recordID.rawValue
        )
    }
}
