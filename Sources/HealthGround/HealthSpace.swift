public import Foundation
public import HealthRecords
import Logging
public import RecordStore
public import TextEmbedding
import VectorSearch

/// One person's records: ingest, search, remove. Every call names this space and no other.
public actor HealthSpace {
    /// The space's id.
    public nonisolated let id: String
    let store: SpaceStore
    let configuration: EngineConfiguration
    private var vectors: LoadedVectors?
    private var quantized: QuantizedMatrix?
    private var projected: (PCAProjection, VectorMatrix)?
    private var rowIndex: [Int64: Int]?
    var cachedRecords: [ClinicalRecord]? {
        didSet { derived = RecordDerived() }
    }
    /// What context assembly derives from the records, kept until they change.
    var derived = RecordDerived()

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
        let chunker = configuration.chunker
        for (index, (url, name)) in files.enumerated() {
            defer { progress?(index + 1, files.count) }
            do {
                // Hashed in 1 MiB reads, so a 1 GB export does not count toward the resident set.
                let fingerprint = try ContentHash.hex(ofFile: url) + "|patient=\(patientID ?? "*")|reader=2"
                let key = url.standardizedFileURL.path
                let parsed = try reader.read(url, displayName: name)
                if try store.fingerprint(ofSource: key) == fingerprint {
                    report.files.append(Self.result(name, parsed, SourceChange.Outcome.unchanged, nil))
                    continue
                }
                let change = try commit(
                    key: key,
                    fingerprint: fingerprint,
                    records: parsed.records,
                    chunks: chunker.chunks(for: parsed.records)
                )
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
        // Also after a run where every file was unchanged: a process killed after its last file but
        // before this step left the snapshot and series stale or missing, and this repairs them.
        if !report.files.isEmpty { try refreshDerivedChunks() }
        configuration.logger.info(
            "ingest finished",
            metadata: [
                "space.files": "\(report.files.count)", "space.failures": "\(report.failures.count)",
            ]
        )
        return report
    }

    /// Ingests plain-text documents (a BEIR corpus, letters, notes) as one source: one note record and
    /// one chunk per document, the chunk's text being the title and the body.
    /// - Parameters:
    ///   - documents: the documents; their ids become record ids.
    ///   - source: the name of the source that holds them (re-ingesting the same name replaces it).
    ///   - progress: called as documents are embedded, with (done, total).
    /// - Returns: what changed.
    @discardableResult
    public func ingest(
        documents: [TextDocument],
        source: String,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> SourceChange {
        try store.requireEmbedder(configuration.embedder.identity)
        var records: [ClinicalRecord] = []
        var chunks: [Chunk] = []
        for document in documents {
            let provenance = Provenance(sourceFile: source, resourceID: document.id, resourceType: "Document")
            let record = ClinicalRecord(
                id: RecordID(document.id),
                kind: .note,
                title: document.title,
                category: "document",
                date: document.date,
                text: document.text,
                provenance: provenance
            )
            records.append(record)
            let text = document.title.isEmpty ? document.text : document.title + "\n" + document.text
            chunks.append(
                Chunk(
                    recordID: record.id,
                    kind: .note,
                    category: "document",
                    title: document.title,
                    text: text,
                    date: document.date,
                    provenance: provenance
                )
            )
        }
        var hasher = ContentHashBuilder()
        for chunk in chunks { hasher.add(chunk.id.rawValue) }
        return try commit(
            key: "documents:" + source,
            fingerprint: hasher.finish(),
            records: records,
            chunks: chunks,
            progress: progress
        )
    }

    /// The source key of the chunks derived from all records (series and snapshot).
    static let derivedSourceKey = "derived:summary"

    /// Recomputes the series and snapshot chunks from all records; only changed chunks are re-embedded.
    private func refreshDerivedChunks() throws {
        let records = try store.records()
        let chunks = configuration.chunker.derivedChunks(for: records)
        var hasher = ContentHashBuilder()
        for chunk in chunks { hasher.add(chunk.id.rawValue) }
        let fingerprint = hasher.finish()
        if try store.fingerprint(ofSource: Self.derivedSourceKey) == fingerprint { return }
        _ = try commit(key: Self.derivedSourceKey, fingerprint: fingerprint, records: [], chunks: chunks)
    }

    /// Embeds the chunks a source does not have yet and stores the source in one transaction.
    private func commit(
        key: String,
        fingerprint: String,
        records: [ClinicalRecord],
        chunks: [Chunk],
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> SourceChange {
        let existing = try store.chunkIDs(ofSource: key)
        let fresh = chunks.filter { !existing.contains($0.id) }
        var vectorByID: [ChunkID: [Float]] = [:]
        let batch = 64
        var start = 0
        while start < fresh.count {
            let slice = fresh[start..<min(start + batch, fresh.count)]
            let vectors = try configuration.embedder.embed(slice.map(\.text))
            for (chunk, vector) in zip(slice, vectors) { vectorByID[chunk.id] = vector }
            start += slice.count
            progress?(start, fresh.count)
        }
        let change = try store.replaceSource(
            SpaceStore.SourceInput(
                path: key,
                fingerprint: fingerprint,
                records: records,
                chunks: chunks.map { ($0, vectorByID[$0.id]) },
                embedder: configuration.embedder.identity
            )
        )
        if change.outcome != .unchanged {
            vectors = nil
            cachedRecords = nil
        }
        return change
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
        // A file named twice in one run (given three times, or both alone and inside a given folder) is
        // read once: it is one source.
        var seen: Set<String> = []
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
        return files.filter { seen.insert($0.0.standardizedFileURL.resolvingSymlinksInPath().path).inserted }
    }

    // MARK: - Search

    /// Searches the space.
    ///
    /// Dense search is exact (every vector is scored) unless `scan` opts into the int8 scan; the filter
    /// applies before top-k in both the dense and the lexical search, so `k` hits come back whenever
    /// `k` matching chunks exist.
    ///
    /// A query that reads as a question is searched kind-aware (hybrid mode): the kinds it asks for
    /// ("my vaccines", "do I have …", "am I taking …") are also searched on their own and merged; for
    /// the present ("what am I taking now?") the active records of those kinds come first; for "last"
    /// and "now" the newest of a repeated record (the yearly flu shot) comes first among its repeats.
    /// - Parameters:
    ///   - query: the question or keywords.
    ///   - k: how many hits.
    ///   - filter: kinds, dates, codes, sources, statuses to keep.
    ///   - mode: dense, lexical, or both fused (the default).
    ///   - fusion: how the two lists are fused in hybrid mode.
    ///   - scan: exact float32 (default) or int8 with float32 rescoring.
    /// - Returns: at most `k` hits, best first.
    /// - Throws: ``StoreError`` `.embedderMismatch` when the space was embedded by another embedder.
    public func search(
        _ query: String,
        k: Int = 10,
        filter: SearchFilter = SearchFilter(),
        mode: SearchMode = .hybrid,
        fusion: FusionMethod = .standard,
        scan: ScanKind = .exact
    ) throws -> [SearchHit] {
        guard k > 0 else { return [] }
        // Kind-aware: a question that asks for a kind of record ("do I have …", "my vaccines") is also
        // searched within that kind, so a condition or a medication is not outranked by notes about it.
        let analysis = QuestionAnalysis(query)
        let latest = analysis.wantsLatest || analysis.wantsPresent
        // For "last" and "now", more candidates are fetched so that the newest of a repeated thing is
        // among them.
        let fetch = latest ? max(k * 3, 20) : k
        let focused = mode == .hybrid && !Self.focusKinds(analysis).isEmpty
        var found = try kindAwareCandidates(
            query,
            analysis: analysis,
            k: fetch,
            filter: filter,
            mode: mode,
            fusion: fusion,
            scan: scan,
            // Made once here when the kind-filtered passes need it too.
            queryVector: focused ? try configuration.embedder.embed(query) : nil,
            lexicalQuery: query
        )
        // "When was my last flu shot?": of the same thing found several times, the newest first.
        if latest { found = Array(Self.newestFirstWithinSameThing(found).prefix(k)) }
        return found.enumerated().map {
            index,
            candidate in
            SearchHit(
                rank: index + 1,
                score: candidate.fused.score,
                denseRank: candidate.fused.denseRank,
                denseScore: candidate.fused.denseScore,
                lexicalRank: candidate.fused.lexicalRank,
                chunk: candidate.stored.chunk
            )
        }
    }

    /// A fused result with its stored chunk and, when the chunk has a vector, its matrix row.
    struct Candidate {
        var fused: RankFusion.Fused
        var stored: StoredChunk
        var matrixRow: Int?
    }

    /// The fused, filtered top `k` with their chunks. `queryVector` and `lexicalHits`, when given, are
    /// the two rankings' inputs already computed for `query` (context assembly makes them at once).
    func candidates(
        _ query: String,
        k: Int,
        filter: SearchFilter,
        mode: SearchMode,
        fusion: FusionMethod,
        scan: ScanKind,
        queryVector precomputed: [Float]? = nil,
        lexicalHits: [(rowID: Int64, score: Double)]? = nil
    ) throws -> [Candidate] {
        let depth = Self.poolDepth(k: k, mode: mode)
        var dense: [(Int64, Float)] = []
        let loaded = try loadedVectors()
        if mode != .lexical {
            let queryVector = try precomputed ?? configuration.embedder.embed(query)
            let allowed: ((Int) -> Bool)? = filter.isEmpty ? nil : { filter.matches(loaded.facts[$0]) }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let exactRows = {
                ExactSearch.topK(query: queryVector, in: loaded.matrix, k: depth, allowed: allowed, threads: cores)
            }
            let rows: [ScoredRow]
            switch scan {
            case .exact:
                rows = exactRows()
            case .int8:
                rows = QuantizedSearch.topK(
                    query: queryVector,
                    quantized: quantizedVectors(loaded),
                    exact: loaded.matrix,
                    k: depth,
                    allowed: allowed,
                    threads: cores
                )
            case .pca:
                if let (projection, reduced) = try projectedVectors(loaded) {
                    rows = PCASearch.topK(
                        query: queryVector,
                        projection: projection,
                        reduced: reduced,
                        exact: loaded.matrix,
                        k: depth,
                        allowed: allowed
                    )
                } else {
                    rows = exactRows()
                }
            }
            dense = rows.map { (loaded.rowIDs[$0.row], $0.score) }
        }
        var lexical: [(Int64, Double)] = []
        if mode != .dense {
            let hits = try lexicalHits ?? store.lexicalSearch(query, filter: filter, limit: depth)
            lexical = hits.map { ($0.rowID, $0.score) }
        }
        let fused = Array(RankFusion.fuse(dense: dense, lexical: lexical, method: fusion).prefix(k))
        let chunks = try store.chunks(rowIDs: fused.map(\.rowID))
        let rowIndex = matrixRowIndex(loaded)
        return fused.compactMap { hit in
            chunks[hit.rowID].map { Candidate(fused: hit, stored: $0, matrixRow: rowIndex[hit.rowID]) }
        }
    }

    /// How many hits each ranking contributes before fusion keeps `k`.
    static func poolDepth(k: Int, mode: SearchMode) -> Int {
        mode == .hybrid ? max(k * 4, 50) : k
    }

    private func matrixRowIndex(_ loaded: LoadedVectors) -> [Int64: Int] {
        if let rowIndex, rowIndex.count == loaded.rowIDs.count { return rowIndex }
        var index: [Int64: Int] = [:]
        index.reserveCapacity(loaded.rowIDs.count)
        for (row, id) in loaded.rowIDs.enumerated() { index[id] = row }
        rowIndex = index
        return index
    }

    private func loadedVectors() throws -> LoadedVectors {
        if let vectors { return vectors }
        let loaded = try store.loadVectors(for: configuration.embedder.identity)
        vectors = loaded
        quantized = nil
        projected = nil
        rowIndex = nil
        return loaded
    }

    private func projectedVectors(_ loaded: LoadedVectors) throws -> (PCAProjection, VectorMatrix)? {
        if let projected, projected.1.count == loaded.matrix.count { return projected }
        guard let projection = try store.projection(for: configuration.embedder.identity) else { return nil }
        let made = (projection, projection.reduce(loaded.matrix))
        projected = made
        return made
    }

    /// Fits a PCA projection of the space's vectors and stores it with the space, for `scan: .pca`.
    /// - Parameter components: the reduced dimension.
    /// - Returns: the share of the variance the kept components explain.
    @discardableResult
    public func buildProjection(components: Int) throws -> Double {
        let loaded = try loadedVectors()
        guard loaded.matrix.count >= 2 else {
            throw StoreError(.corrupt, "a projection needs at least two vectors in the space")
        }
        let projection = try PCAProjection(fitting: loaded.matrix, components: components)
        try store.saveProjection(projection, for: configuration.embedder.identity)
        projected = nil
        return projection.explainedShare
    }

    private func quantizedVectors(_ loaded: LoadedVectors) -> QuantizedMatrix {
        if let quantized, quantized.count == loaded.matrix.count { return quantized }
        let made = QuantizedMatrix(loaded.matrix)
        quantized = made
        return made
    }

    /// The engine's embedder, described (`hashing-fnv1a (384-d, v1)`).
    public nonisolated var embedderDescription: String { configuration.embedder.identity.description }

    // MARK: - Reindex

    /// Re-embeds the space with the engine's embedder (after a model change), resumably, then swaps
    /// the vectors atomically; readers keep the old vectors until the swap.
    /// - Parameter progress: called after each batch with (chunks done, chunks in all).
    /// - Returns: counts.
    @discardableResult
    public func reindex(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ReindexResult {
        let embedder = configuration.embedder
        let result = try store.reindex(
            to: embedder.identity,
            embed: { try embedder.embed($0) },
            progress: progress
        )
        vectors = nil
        quantized = nil
        projected = nil
        return result
    }

    /// The embedder whose vectors the space holds, or nil for an empty space.
    public func embedderStamp() throws -> EmbedderIdentity? {
        try store.embedderStamp()
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

    /// Runs `body` with the reads it makes recorded as one entry of the audit trail.
    func auditedAsOne<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        try store.auditedAsOne(operation, body)
    }

    /// Every record of the space (cached until the next write).
    public func records() throws -> [ClinicalRecord] {
        if let cachedRecords { return cachedRecords }
        let records = try store.records()
        cachedRecords = records
        return records
    }

    /// The vector of a matrix row.
    func vector(atRow row: Int) -> ArraySlice<Float>? {
        guard let vectors, row < vectors.matrix.count else { return nil }
        return vectors.matrix.row(row)
    }

    /// Removes a source (by the path it was ingested from) and all it produced.
    /// - Returns: the number of chunks removed, or nil when the space has no such source.
    @discardableResult
    public func remove(source url: URL) throws -> Int? {
        let removed = try store.removeSource(path: url.standardizedFileURL.path)
        if removed != nil {
            vectors = nil
            cachedRecords = nil
            try refreshDerivedChunks()
        }
        return removed
    }
}

// MARK: - Deletion, keys and audit

extension HealthSpace {
    /// Removes a source (by the path it was ingested from) and all it produced, leaving nothing of it
    /// recoverable in the space's files (see ``SpaceStore/deleteSource(path:)``); the series and
    /// snapshot chunks are recomputed without it.
    /// - Returns: a receipt (counts, no content), or nil when the space has no such source.
    public func deleteSource(_ url: URL) throws -> DeletionReceipt? {
        guard let receipt = try store.deleteSource(path: url.standardizedFileURL.path) else { return nil }
        vectors = nil
        cachedRecords = nil
        try refreshDerivedChunks()
        return receipt
    }

    /// The space's audit trail, oldest first: time, operation, counts and caller label of every read
    /// and write (no content).
    /// - Parameter limit: only the latest `limit` entries, when given.
    public func auditTrail(limit: Int? = nil) throws -> [AuditEntry] {
        try store.auditTrail(limit: limit)
    }

    /// Re-wraps the space's data key under the provider's current key-encryption key.
    func rewrapDataKey(with provider: any KeyProvider) throws -> Bool {
        try store.rewrapDataKey(with: provider)
    }

    /// Destroys the space's data key and files; the space cannot be used afterwards.
    func destroy() throws -> DeletionReceipt {
        vectors = nil
        quantized = nil
        projected = nil
        cachedRecords = nil
        var receipt = try store.destroy()
        receipt.spaceID = id
        return receipt
    }
}

extension HealthSpace {
    /// Everything the space holds, decrypted (tests prove deletions with it).
    package func decryptedContent() throws -> Data {
        try store.decryptedContent()
    }

    /// A digest of the sealed values as stored (tests prove a rotation re-encrypted nothing).
    package func sealedContentDigest() throws -> String {
        try store.sealedContentDigest()
    }
}
