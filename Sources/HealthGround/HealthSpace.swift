public import Foundation
public import HealthRecords
import Logging
public import RecordStore
import TextEmbedding
import VectorSearch

/// One person's records: ingest, search, remove. Every call names this space and no other.
public actor HealthSpace {
    /// The space's id.
    public nonisolated let id: String
    private let store: SpaceStore
    private let configuration: EngineConfiguration
    private var vectors: (rowIDs: [Int64], matrix: VectorMatrix)?

    init(id: String, store: SpaceStore, configuration: EngineConfiguration) {
        self.id = id
        self.store = store
        self.configuration = configuration
    }

    // MARK: - Ingest

    /// Ingests files and folders (recursively). Each file is one transaction: a file that fails leaves
    /// the space as it was before that file, and is listed in ``IngestReport/failures``.
    /// - Parameters:
    ///   - urls: files or folders.
    ///   - patientID: keep only this patient's resources (for multi-patient bulk exports).
    ///   - progress: called after each file with (files done, files in all).
    /// - Returns: what each file did.
    /// - Throws: ``StoreError`` for an embedder mismatch; per-file problems are in the report instead.
    public func ingest(
        _ urls: [URL],
        patientID: String? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> IngestReport {
        try store.requireEmbedder(configuration.embedder.identity)
        let reader = RecordSourceReader(patientID: patientID)
        var report = IngestReport()
        let files = Self.expand(urls, reader: reader, ignored: &report.ignoredFiles)
        let named = Set(urls.map(\.standardizedFileURL.path))
        let chunker = RecordChunker()
        for (index, (url, name)) in files.enumerated() {
            defer { progress?(index + 1, files.count) }
            do {
                let bytes = try Data(contentsOf: url, options: .mappedIfSafe)
                let fingerprint = ContentHash.hex(of: bytes) + "|patient=\(patientID ?? "*")|reader=1"
                let key = url.standardizedFileURL.path
                let parsed = try reader.read(url, displayName: name)
                if try store.fingerprint(ofSource: key) == fingerprint {
                    report.files.append(Self.result(name, parsed, SourceChange.Outcome.unchanged, nil))
                    continue
                }
                let chunks = chunker.chunks(for: parsed.records)
                let existing = try store.chunkIDs(ofSource: key)
                let fresh = chunks.filter { !existing.contains($0.id) }
                let freshVectors = try configuration.embedder.embed(fresh.map(\.text))
                var vectorByID: [ChunkID: [Float]] = [:]
                for (chunk, vector) in zip(fresh, freshVectors) { vectorByID[chunk.id] = vector }
                let change = try store.replaceSource(
                    SpaceStore.SourceInput(
                        path: key,
                        fingerprint: fingerprint,
                        records: parsed.records,
                        chunks: chunks.map { ($0, vectorByID[$0.id]) },
                        embedder: configuration.embedder.identity
                    )
                )
                if change.outcome != .unchanged { vectors = nil }
                report.files.append(Self.result(name, parsed, change.outcome, change))
            } catch let error as IngestError
                where error.code == .unsupportedFormat
                && !named.contains(url.standardizedFileURL.path)
            {
                // A file found in a folder that turns out not to be a record format (a bulk export's log).
                report.ignoredFiles.append(name)
            } catch let error as IngestError {
                report.failures.append(IngestReport.Failure(file: name, reason: error.description))
            } catch let error as StoreError where error.code == .embedderMismatch {
                throw error
            } catch let error as StoreError {
                report.failures.append(IngestReport.Failure(file: name, reason: error.description))
            } catch {
                report.failures.append(IngestReport.Failure(file: name, reason: "cannot read \(name)"))
            }
        }
        configuration.logger.info(
            "ingest finished",
            metadata: [
                "space.files": "\(report.files.count)", "space.failures": "\(report.failures.count)",
            ]
        )
        return report
    }

    private static func result(
        _ name: String,
        _ parsed: ParsedSource,
        _ outcome: SourceChange.Outcome,
        _ change: SourceChange?
    ) -> IngestReport.FileResult {
        IngestReport.FileResult(
            file: name,
            outcome: outcome,
            recordsByKind: Dictionary(uniqueKeysWithValues: parsed.countsByKind.map { ($0.rawValue, $1) }),
            skippedTypes: parsed.skippedTypes,
            dropped: parsed.droppedCount,
            chunksAdded: change?.chunksAdded ?? 0,
            chunksRemoved: change?.chunksRemoved ?? 0,
            chunksKept: change?.chunksKept ?? parsed.records.count
        )
    }

    /// Files to read: named files as they are, folders walked in sorted order for files a parser reads.
    static func expand(_ urls: [URL], reader: RecordSourceReader, ignored: inout [String]) -> [(URL, String)] {
        var files: [(URL, String)] = []
        for url in urls {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                files.append((url, url.lastPathComponent))
                continue
            }
            let base = url.standardizedFileURL.path
            let parent = url.standardizedFileURL.deletingLastPathComponent().path
            let enumerator = FileManager.default.enumerator(atPath: base)
            var found: [String] = []
            while let relative = enumerator?.nextObject() as? String {
                var childIsDirectory: ObjCBool = false
                let full = base + "/" + relative
                if FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory),
                    !childIsDirectory.boolValue
                {
                    found.append(relative)
                }
            }
            for relative in found.sorted() {
                let child = URL(fileURLWithPath: base + "/" + relative)
                let display = String((base + "/" + relative).dropFirst(parent.count + (parent == "/" ? 0 : 1)))
                if reader.canRead(child) {
                    files.append((child, display))
                } else if !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    ignored.append(display)
                }
            }
        }
        return files
    }

    // MARK: - Search

    /// Hybrid search: exact dense top-k over all of the space's vectors and FTS5 BM25, fused by
    /// reciprocal rank.
    /// - Parameters:
    ///   - query: the question or keywords.
    ///   - k: how many hits.
    /// - Returns: at most `k` hits, best first.
    /// - Throws: ``StoreError`` `.embedderMismatch` when the space was embedded by another embedder.
    public func search(_ query: String, k: Int = 10) throws -> [SearchHit] {
        guard k > 0 else { return [] }
        let loaded = try loadedVectors()
        let depth = max(k * 4, 50)
        let queryVector = try configuration.embedder.embed(query)
        let dense = ExactSearch.topK(query: queryVector, in: loaded.matrix, k: depth)
        let lexical = try store.lexicalSearch(query, limit: depth)
        let fused = RankFusion.reciprocalRank(
            dense: dense.map { (loaded.rowIDs[$0.row], $0.score) },
            lexical: lexical.map { ($0.rowID, $0.score) }
        )
        let top = Array(fused.prefix(k))
        let chunks = try store.chunks(rowIDs: top.map(\.rowID))
        return top.enumerated().compactMap { index, fusedHit in
            guard let stored = chunks[fusedHit.rowID] else { return nil }
            return SearchHit(
                rank: index + 1,
                score: fusedHit.score,
                denseRank: fusedHit.denseRank,
                denseScore: fusedHit.denseScore,
                lexicalRank: fusedHit.lexicalRank,
                chunk: stored.chunk
            )
        }
    }

    private func loadedVectors() throws -> (rowIDs: [Int64], matrix: VectorMatrix) {
        if let vectors { return vectors }
        let loaded = try store.loadVectors(for: configuration.embedder.identity)
        vectors = loaded
        return loaded
    }

    // MARK: - Contents

    /// The sources the space holds.
    public func sources() throws -> [StoredSource] {
        try store.sources()
    }

    /// Stored chunk counts by kind.
    public func chunkCounts() throws -> [RecordKind: Int] {
        try store.chunkCountsByKind()
    }

    /// Every record of the space.
    public func records() throws -> [ClinicalRecord] {
        try store.records()
    }

    /// Removes a source (by the path it was ingested from) and all it produced.
    /// - Returns: the number of chunks removed, or nil when the space has no such source.
    @discardableResult
    public func remove(source url: URL) throws -> Int? {
        let removed = try store.removeSource(path: url.standardizedFileURL.path)
        if removed != nil { vectors = nil }
        return removed
    }
}
