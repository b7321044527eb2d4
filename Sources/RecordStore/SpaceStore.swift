import Crypto
import Dispatch
public import Foundation
import GRDB
public import HealthRecords
public import Logging
public import TextEmbedding
import VectorSearch

/// One person's records in one SQLite file: sources, records, chunks, vectors and a full-text index.
///
/// Writes go through ``replaceSource(_:)`` and ``removeSource(path:)``, each a single transaction:
/// a failure leaves the file as it was. Reads run concurrently with writes (WAL).
///
/// With encryption enabled (see ``SpaceEncryption``) the file holds no health data in clear: chunk
/// and record payloads, source paths, codes and vectors are AES-256-GCM ciphertext under the space's
/// data key, and the full-text index holds keyed hashes of stemmed terms. Kinds, dates and statuses
/// stay in clear so that filters run inside SQLite (see `docs/security.md`).
public final class SpaceStore: Sendable {
    /// The database file.
    public let url: URL
    let pool: DatabasePool
    let logger: Logger
    /// Vector snapshots being written in the background.
    let snapshotWrites = DispatchGroup()
    let cipher: SpaceCipher
    /// Who the audit trail names for this store's reads and writes.
    public let callerLabel: String
    /// The space id stored in the file (sealed), or nil for a file made without one.
    public let spaceID: String?

    /// Opens (creating and migrating if needed) the space database at `url`.
    /// - Parameters:
    ///   - url: the database file.
    ///   - logger: where the store logs (never content).
    ///   - encryption: how content is stored; a new file gets a random data key wrapped by the
    ///     provider's current key-encryption key.
    ///   - spaceID: the id stored (sealed) in a new file, so that a listing can recover it.
    ///   - callerLabel: who the audit trail names.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated, or `.keyUnavailable` when
    ///   its data key cannot be unwrapped (nothing is changed then).
    public init(
        url: URL,
        logger: Logger,
        encryption: SpaceEncryption = .disabled,
        spaceID: String? = nil,
        callerLabel: String = "unspecified"
    ) throws {
        self.url = url
        self.logger = logger
        self.callerLabel = callerLabel
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Deleted content is overwritten with zeros, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Temporary tables and sort spills stay in memory, never in temp files.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Pages are read through a memory map instead of one read() each: a cold open reads
            // every vector and chunk row (5,000 chunks in clear: 37 ms with reads, 19–28 ms mapped).
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        configuration.label = "space"
        // Another connection's write (a reindex run beside a server, a snapshot being written) is
        // waited for, not reported as a failure.
        configuration.busyMode = .timeout(10)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            if !FileManager.default.fileExists(atPath: url.path) {
                // Owner-only from the first byte; SQLite gives the -wal and -shm files the same mode.
                try? SecretFile.create(at: url, contents: Data())
            }
            pool = try Self.openCreatingOnce(url: url, configuration: configuration)
        } catch {
            throw StoreError(.database, "cannot open the space database \(url.lastPathComponent)", underlying: error)
        }
        let keyring = try Self.openKeyring(pool, encryption: encryption, spaceID: spaceID, url: url)
        cipher = keyring.0
        self.spaceID = keyring.1
    }

    /// Opens (and, for a new file, creates and migrates) the database. Processes that create the same
    /// new space at once race for the switch to WAL and the first migration, which SQLite answers with
    /// "busy" without always consulting the busy handler: each such attempt is retried, with a growing
    /// pause, for up to about 15 seconds.
    static func openCreatingOnce(url: URL, configuration: Configuration) throws -> DatabasePool {
        var attempt = 0
        while true {
            do {
                let pool = try DatabasePool(path: url.path, configuration: configuration)
                try migrator.migrate(pool)
                return pool
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && attempt < 40
            {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.01 * Double(attempt))
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Columns that hold sealed (AES-GCM) bytes are BLOBs; `…Key` columns hold keyed hashes
            // that SQL compares for equality; `…Terms` hold keyed hashes of stemmed terms.
            try db.execute(
                sql: """
                    CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE source(
                        id INTEGER PRIMARY KEY,
                        pathKey TEXT NOT NULL UNIQUE,
                        path BLOB NOT NULL,
                        fingerprint BLOB NOT NULL,
                        ingestedAt DOUBLE NOT NULL,
                        recordCount INTEGER NOT NULL,
                        chunkCount INTEGER NOT NULL
                    );
                    CREATE TABLE record(
                        sourceID INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
                        idKey TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        date DOUBLE,
                        payload BLOB NOT NULL,
                        PRIMARY KEY(sourceID, idKey)
                    ) WITHOUT ROWID;
                    CREATE TABLE chunk(
                        rowid INTEGER PRIMARY KEY,
                        sourceID INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
                        chunkKey TEXT NOT NULL,
                        chunkID BLOB NOT NULL,
                        kind TEXT NOT NULL,
                        status TEXT,
                        date DOUBLE,
                        codeKeys TEXT NOT NULL,
                        codes BLOB NOT NULL,
                        titleTerms TEXT NOT NULL,
                        textTerms TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        UNIQUE(sourceID, chunkKey)
                    );
                    CREATE INDEX chunk_kind_date ON chunk(kind, date);
                    CREATE TABLE vector(
                        chunkRowID INTEGER PRIMARY KEY REFERENCES chunk(rowid) ON DELETE CASCADE,
                        embedder TEXT NOT NULL,
                        dimension INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE VIRTUAL TABLE chunk_fts USING fts5(
                        titleTerms, textTerms, content='chunk', content_rowid='rowid',
                        tokenize='unicode61 remove_diacritics 0'
                    );
                    CREATE TRIGGER chunk_fts_insert AFTER INSERT ON chunk BEGIN
                        INSERT INTO chunk_fts(rowid, titleTerms, textTerms)
                        VALUES (new.rowid, new.titleTerms, new.textTerms);
                    END;
                    CREATE TRIGGER chunk_fts_delete AFTER DELETE ON chunk BEGIN
                        INSERT INTO chunk_fts(chunk_fts, rowid, titleTerms, textTerms)
                        VALUES ('delete', old.rowid, old.titleTerms, old.textTerms);
                    END;
                    """
            )
        }
        registerReindexMigration(&migrator)
        registerProjectionMigration(&migrator)
        registerAuditMigration(&migrator)
        registerVectorSnapshotMigration(&migrator)
        return migrator
    }

    // MARK: - Embedder stamp

    /// The embedder whose vectors the space holds, or nil for a space without vectors yet.
    public func embedderStamp() throws -> EmbedderIdentity? {
        try read { db in try Self.stamp(db) }
    }

    private static func stamp(_ db: Database) throws -> EmbedderIdentity? {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key LIKE 'embedder.%'")
        var values: [String: String] = [:]
        for row in rows { values[row["key"]] = row["value"] }
        guard let id = values["embedder.id"], let dimension = values["embedder.dimension"].flatMap(Int.init),
            let version = values["embedder.version"].flatMap(Int.init)
        else { return nil }
        return EmbedderIdentity(id: id, dimension: dimension, version: version)
    }

    /// Fails with ``StoreError/Code/embedderMismatch`` unless the space's vectors were made by `identity`
    /// (a space with no vectors accepts any embedder).
    public func requireEmbedder(_ identity: EmbedderIdentity) throws {
        if let stamp = try embedderStamp(), stamp != identity {
            throw StoreError(
                .embedderMismatch,
                "the space was embedded with \(stamp), not \(identity); reindex the space with the new embedder"
            )
        }
    }

    // MARK: - Writing

    /// A source file's parsed content, chunked and embedded, ready to be stored.
    public struct SourceInput: Sendable {
        /// The path as ingested (the key of the source).
        public var path: String
        /// The fingerprint of the file's bytes and the reader's options.
        public var fingerprint: String
        /// The records.
        public var records: [ClinicalRecord]
        /// The chunks and their vectors; a chunk whose id is already stored for this source may have
        /// no vector (it is kept as it is).
        public var chunks: [(chunk: Chunk, vector: [Float]?)]
        /// The embedder that made the vectors.
        public var embedder: EmbedderIdentity

        /// Creates a source input.
        public init(
            path: String,
            fingerprint: String,
            records: [ClinicalRecord],
            chunks: [(chunk: Chunk, vector: [Float]?)],
            embedder: EmbedderIdentity
        ) {
            self.path = path
            self.fingerprint = fingerprint
            self.records = records
            self.chunks = chunks
            self.embedder = embedder
        }
    }

    /// The fingerprint stored for a source, or nil when the space does not have it.
    public func fingerprint(ofSource path: String) throws -> String? {
        let key = cipher.lookup(path, "path")
        return try read { db in
            try Data.fetchOne(db, sql: "SELECT fingerprint FROM source WHERE pathKey = ?", arguments: [key])
                .map { try cipher.openString($0, "source.fingerprint") }
        }
    }

    /// The chunk ids a source has now, so that a changed file is embedded only where it changed.
    public func chunkIDs(ofSource path: String) throws -> Set<ChunkID> {
        let key = cipher.lookup(path, "path")
        return try read { db in
            let sealed = try Data.fetchAll(
                db,
                sql:
                    "SELECT chunk.chunkID FROM chunk JOIN source ON source.id = chunk.sourceID WHERE source.pathKey = ?",
                arguments: [key]
            )
            return Set(try sealed.map { ChunkID(try cipher.openString($0, "chunk.chunkID")) })
        }
    }

    /// Stores a source in one transaction: new chunks are added, chunks no longer produced are
    /// removed (with their vectors and FTS entries), unchanged chunks are kept; records are replaced.
    /// - Throws: ``StoreError`` (nothing is written on failure).
    @discardableResult
    public func replaceSource(_ input: SourceInput) throws -> SourceChange {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let cipher = self.cipher
        let pathKey = cipher.lookup(input.path, "path")
        var tokens = TokenCache(cipher: cipher)
        let change = try write { db -> SourceChange in
            if let stamp = try Self.stamp(db), stamp != input.embedder {
                throw StoreError(
                    .embedderMismatch,
                    "the space was embedded with \(stamp), not \(input.embedder); reindex the space first"
                )
            }
            try Self.writeStamp(input.embedder, db)
            let existing = try Row.fetchOne(
                db,
                sql: "SELECT id, fingerprint FROM source WHERE pathKey = ?",
                arguments: [pathKey]
            )
            if let existing,
                try cipher.openString(existing["fingerprint"], "source.fingerprint") == input.fingerprint
            {
                let count = try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM chunk WHERE sourceID = ?",
                    arguments: [existing["id"] as Int64]
                )
                let change = SourceChange(
                    outcome: .unchanged,
                    chunksAdded: 0,
                    chunksRemoved: 0,
                    chunksKept: count ?? 0,
                    recordCount: input.records.count
                )
                try appendAudit("write.source", Self.counts(change), db)
                return change
            }
            let sourceID: Int64
            let sealedFingerprint = try cipher.seal(input.fingerprint, "source.fingerprint")
            if let existing {
                sourceID = existing["id"]
                try db.execute(
                    sql: """
                        UPDATE source SET fingerprint = ?, ingestedAt = ?, recordCount = ?, chunkCount = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        sealedFingerprint, Date().timeIntervalSince1970, input.records.count, input.chunks.count,
                        sourceID,
                    ]
                )
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO source(pathKey, path, fingerprint, ingestedAt, recordCount, chunkCount)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        pathKey, try cipher.seal(input.path, "source.path"), sealedFingerprint,
                        Date().timeIntervalSince1970, input.records.count, input.chunks.count,
                    ]
                )
                sourceID = db.lastInsertedRowID
            }
            // Records are small: replace them all.
            try db.execute(sql: "DELETE FROM record WHERE sourceID = ?", arguments: [sourceID])
            let recordStatement = try db.makeStatement(
                sql: "INSERT OR REPLACE INTO record(sourceID, idKey, kind, date, payload) VALUES (?, ?, ?, ?, ?)"
            )
            for record in input.records {
                try recordStatement.execute(arguments: [
                    sourceID, cipher.lookup(record.id.rawValue, "record"), record.kind.rawValue,
                    record.date?.timeIntervalSince1970, try cipher.seal(try encoder.encode(record), "record.payload"),
                ])
            }
            // Chunks: diff by content-derived id (compared as keyed hashes).
            let stored = try Row.fetchAll(
                db,
                sql: "SELECT rowid, chunkKey FROM chunk WHERE sourceID = ?",
                arguments: [sourceID]
            )
            var storedKeys: [String: Int64] = [:]
            for row in stored { storedKeys[row["chunkKey"]] = row["rowid"] }
            let wanted = Set(input.chunks.map { cipher.lookup($0.chunk.id.rawValue, "chunk") })
            var removed = 0
            for (chunkKey, rowID) in storedKeys where !wanted.contains(chunkKey) {
                try db.execute(sql: "DELETE FROM chunk WHERE rowid = ?", arguments: [rowID])
                removed += 1
            }
            let chunkStatement = try db.makeStatement(
                sql: """
                    INSERT INTO chunk(sourceID, chunkKey, chunkID, kind, status, date, codeKeys, codes,
                                      titleTerms, textTerms, payload)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let vectorStatement = try db.makeStatement(
                sql: "INSERT INTO vector(chunkRowID, embedder, dimension, data) VALUES (?, ?, ?, ?)"
            )
            var added = 0
            var kept = 0
            var seen: Set<String> = []
            for (chunk, vector) in input.chunks {
                let chunkKey = cipher.lookup(chunk.id.rawValue, "chunk")
                guard seen.insert(chunkKey).inserted else { continue }
                if storedKeys[chunkKey] != nil {
                    kept += 1
                    continue
                }
                guard let vector, vector.count == input.embedder.dimension else {
                    throw StoreError(.corrupt, "a new chunk has no vector of the embedder's dimension")
                }
                let codes = chunk.codes.map { "\($0.system.shortName)|\($0.code)" }
                try chunkStatement.execute(arguments: [
                    sourceID, chunkKey, try cipher.seal(chunk.id.rawValue, "chunk.chunkID"), chunk.kind.rawValue,
                    chunk.status, chunk.date?.timeIntervalSince1970, Self.codeKeys(codes, cipher),
                    try cipher.seal(codes.joined(separator: " "), "chunk.codes"),
                    tokens.terms(of: chunk.title), tokens.terms(of: chunk.text),
                    try cipher.seal(try encoder.encode(chunk), "chunk.payload"),
                ])
                try vectorStatement.execute(arguments: [
                    db.lastInsertedRowID, input.embedder.id, input.embedder.dimension,
                    try cipher.seal(VectorCoding.data(vector), "vector.data"),
                ])
                added += 1
            }
            try db.execute(
                sql: "UPDATE source SET chunkCount = (SELECT count(*) FROM chunk WHERE sourceID = ?) WHERE id = ?",
                arguments: [sourceID, sourceID]
            )
            if removed > 0 { try Self.purgeDeletedText(db) }
            let change = SourceChange(
                outcome: existing == nil ? .added : .updated,
                chunksAdded: added,
                chunksRemoved: removed,
                chunksKept: kept,
                recordCount: input.records.count
            )
            try appendAudit("write.source", Self.counts(change), db)
            return change
        }
        if change.chunksRemoved > 0 { try truncateWriteAheadLog() }
        return change
    }

    private static func counts(_ change: SourceChange) -> [String: Int] {
        [
            "chunksAdded": change.chunksAdded, "chunksRemoved": change.chunksRemoved, "chunksKept": change.chunksKept,
            "records": change.recordCount,
        ]
    }

    /// The stored form of a chunk's codes for SQL filters: a lookup key per qualified code
    /// (`q:LOINC|4548-4`) and per bare code (`b:4548-4`), space-separated.
    static func codeKeys(_ qualified: [String], _ cipher: SpaceCipher) -> String {
        var keys: [String] = []
        for code in qualified {
            keys.append(cipher.lookup("q:" + code, "code"))
            keys.append(cipher.lookup("b:" + SearchFilter.bare(code), "code"))
        }
        return keys.joined(separator: " ")
    }

    static func writeStamp(_ identity: EmbedderIdentity, _ db: Database) throws {
        let values = [
            "embedder.id": identity.id, "embedder.dimension": String(identity.dimension),
            "embedder.version": String(identity.version),
        ]
        for (key, value) in values {
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    /// Removes a source and everything it produced (records, chunks, vectors, FTS entries).
    /// - Returns: how many chunks were removed, or nil when the space has no such source.
    @discardableResult
    public func removeSource(path: String) throws -> Int? {
        try deleteSource(path: path)?.chunks
    }

    /// Removes a source and everything it produced, so that nothing of it is recoverable from the
    /// files: rows are deleted with `secure_delete` (freed pages zeroed), the full-text index is
    /// merged (old segments dropped), and the write-ahead log is checkpointed and truncated.
    /// - Returns: a receipt with counts, or nil when the space has no such source.
    @discardableResult
    public func deleteSource(path: String) throws -> DeletionReceipt? {
        let key = cipher.lookup(path, "path")
        let receipt = try write { db -> DeletionReceipt? in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM source WHERE pathKey = ?", arguments: [key])
            else { return nil }
            let chunks =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE sourceID = ?", arguments: [id]) ?? 0
            let records =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE sourceID = ?", arguments: [id]) ?? 0
            let vectors =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM vector JOIN chunk ON chunk.rowid = vector.chunkRowID WHERE sourceID = ?",
                    arguments: [id]
                ) ?? 0
            try db.execute(sql: "DELETE FROM chunk WHERE sourceID = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM record WHERE sourceID = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM source WHERE id = ?", arguments: [id])
            try Self.purgeDeletedText(db)
            try appendAudit("delete.source", ["chunks": chunks, "records": records, "vectors": vectors], db)
            return DeletionReceipt(
                scope: .source,
                spaceID: spaceID ?? "",
                at: Date(),
                sources: 1,
                records: records,
                chunks: chunks,
                vectors: vectors,
                auditEntries: 0,
                measures: ["rows deleted with secure_delete", "full-text index merged", "write-ahead log truncated"]
            )
        }
        if receipt != nil { try truncateWriteAheadLog() }
        return receipt
    }

    /// Merges the full-text index into one segment, so that deleted chunks' terms leave the index
    /// (FTS5 otherwise keeps them in older segments behind delete markers until a merge).
    static func purgeDeletedText(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO chunk_fts(chunk_fts) VALUES ('optimize')")
    }

    /// Copies the write-ahead log into the database and truncates it to zero bytes, so that deleted
    /// content does not survive in old WAL frames.
    func truncateWriteAheadLog() throws {
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            throw StoreError(.database, "checkpointing \(url.lastPathComponent) failed", underlying: error)
        }
    }

    // MARK: - Reading

    /// The sources the space holds, by path.
    public func sources() throws -> [StoredSource] {
        let sources = try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM source").map { row in
                StoredSource(
                    path: try cipher.openString(row["path"], "source.path"),
                    fingerprint: try cipher.openString(row["fingerprint"], "source.fingerprint"),
                    recordCount: row["recordCount"],
                    chunkCount: row["chunkCount"]
                )
            }
        }
        try auditRead("read.sources", ["sources": sources.count])
        return sources.sorted { $0.path < $1.path }
    }

    /// Counts of stored chunks by record kind.
    public func chunkCountsByKind() throws -> [RecordKind: Int] {
        try read { db in
            var counts: [RecordKind: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM chunk GROUP BY kind") {
                if let kind = RecordKind(rawValue: row["kind"]) { counts[kind] = row["n"] }
            }
            return counts
        }
    }

    /// The source paths by source row id, decrypted (only those of `ids` when given).
    private func sourcePaths(_ db: Database, ids: Set<Int64>? = nil) throws -> [Int64: String] {
        var paths: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, path FROM source") {
            let id: Int64 = row["id"]
            guard ids?.contains(id) ?? true else { continue }
            paths[id] = try cipher.openString(row["path"], "source.path")
        }
        return paths
    }

    /// All vectors of the space as one matrix, with each row's chunk row id and filterable facts
    /// (decrypted into memory; nothing decrypted is written back).
    ///
    /// The rows are read in one pass (columns by position, blobs kept sealed), then opened in parallel
    /// on every core, each vector copied straight into its row of the matrix: a cold open is bound by
    /// AES-GCM, not by row handling (see `docs/security.md` for the measured cost).
    /// - Throws: ``StoreError`` `.embedderMismatch` when the space was embedded by another embedder.
    public func loadVectors(for identity: EmbedderIdentity) throws -> LoadedVectors {
        try requireEmbedder(identity)
        let cipher = self.cipher
        let dimension = identity.dimension
        var staleGeneration: Int64?
        var snapshotSourceIDs: [Int64] = []
        let loaded = try read { db in
            let paths = try sourcePaths(db)
            let generation = try Self.vectorGeneration(db)
            if let snapshot = try loadVectorSnapshot(db, identity: identity, generation: generation, paths: paths) {
                return snapshot
            }
            staleGeneration = generation
            var sealedVectors: [Data] = []
            var sealedCodes: [Data] = []
            var rowIDs: [Int64] = []
            var kinds: [RecordKind] = []
            var dates: [Date?] = []
            var statuses: [String?] = []
            var sourceIDs: [Int64] = []
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT vector.chunkRowID, vector.data, chunk.kind, chunk.date, chunk.codes, chunk.status,
                           chunk.sourceID
                    FROM vector JOIN chunk ON chunk.rowid = vector.chunkRowID
                    ORDER BY vector.chunkRowID
                    """
            )
            while let row = try cursor.next() {
                guard let kind = RecordKind(rawValue: row[2]) else {
                    throw StoreError(.corrupt, "a stored chunk has an unknown kind")
                }
                rowIDs.append(row[0])
                sealedVectors.append(row[1])
                kinds.append(kind)
                dates.append((row[3] as Double?).map(Date.init(timeIntervalSince1970:)))
                sealedCodes.append(row[4])
                statuses.append(row[5])
                sourceIDs.append(row[6])
            }
            let count = rowIDs.count
            var codes: Result<[[String]], any Error> = .success([])
            let vectorBoxes = sealedVectors
            let codeBoxes = sealedCodes
            let storage = [Float](unsafeUninitializedCapacity: count * dimension) { buffer, initialized in
                // Each part opens a contiguous range of rows, writing its vectors into their rows of
                // the matrix and its code lists into their slots; a part stops at its first failure.
                let target = SharedFloats(base: buffer.baseAddress)
                let opened = ParallelSlots<[String]>(count: count)
                let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 256))
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    for index in (count * part / parts)..<(count * (part + 1) / parts) {
                        let result = Result { () throws -> [String] in
                            let data = try cipher.open(vectorBoxes[index], "vector.data")
                            guard data.count == dimension * MemoryLayout<Float>.size else {
                                throw StoreError(.corrupt, "a stored vector does not have \(dimension) numbers")
                            }
                            VectorCoding.copy(data, into: target.base! + index * dimension)
                            return try cipher.openString(codeBoxes[index], "chunk.codes").split(separator: " ")
                                .map(String.init)
                        }
                        opened.store(index, result)
                        if case .failure = result { break }
                    }
                }
                codes = Result { try opened.values() }
                if case .success = codes { initialized = count * dimension }
            }
            let codeLists = try codes.get()
            var loaded = LoadedVectors(dimension: dimension)
            loaded.rowIDs = rowIDs
            loaded.facts = (0..<count).map { index in
                ChunkFacts(
                    kind: kinds[index],
                    date: dates[index],
                    codes: codeLists[index],
                    sourcePath: paths[sourceIDs[index]] ?? "",
                    status: statuses[index]
                )
            }
            loaded.matrix = VectorMatrix(dimension: dimension, storage: storage)
            snapshotSourceIDs = sourceIDs
            return loaded
        }
        if let staleGeneration {
            // Off the caller's path: the write (megabytes, synced) takes longer than the read it saves.
            let sourceIDs = snapshotSourceIDs
            snapshotWrites.enter()
            DispatchQueue.global(qos: .utility).async {
                self.saveVectorSnapshot(loaded, sourceIDs: sourceIDs, identity: identity, generation: staleGeneration)
                self.snapshotWrites.leave()
            }
        }
        try auditRead("read.vectors", ["vectors": loaded.rowIDs.count])
        return loaded
    }

    /// The stored chunks with these rows, in no particular order.
    public func chunks(rowIDs: [Int64]) throws -> [Int64: StoredChunk] {
        guard !rowIDs.isEmpty else { return [:] }
        let cipher = self.cipher
        let (rows, paths) = try read { db in
            let placeholders = Array(repeating: "?", count: rowIDs.count).joined(separator: ",")
            let rows: [(rowID: Int64, sourceID: Int64, payload: Data)] = try Row.fetchAll(
                db,
                sql: "SELECT rowid, sourceID, payload FROM chunk WHERE rowid IN (\(placeholders))",
                arguments: StatementArguments(rowIDs)
            ).map { ($0[0], $0[1], $0[2]) }
            return (rows, try sourcePaths(db, ids: Set(rows.map(\.sourceID))))
        }
        // Opened and decoded on every core (JSON decoding is most of a context query's chunk reading).
        let decoded = ParallelSlots<StoredChunk>(count: rows.count)
        let parts = rows.count >= 16 ? ProcessInfo.processInfo.activeProcessorCount : 1
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let decoder = JSONDecoder()
            for index in stride(from: part, to: rows.count, by: parts) {
                let row = rows[index]
                decoded.store(
                    index,
                    Result {
                        let payload = try cipher.open(row.payload, "chunk.payload")
                        do {
                            let chunk = try decoder.decode(Chunk.self, from: payload)
                            return StoredChunk(rowID: row.rowID, sourcePath: paths[row.sourceID] ?? "", chunk: chunk)
                        } catch {
                            throw StoreError(.corrupt, "a stored chunk cannot be decoded", underlying: error)
                        }
                    }
                )
            }
        }
        var result: [Int64: StoredChunk] = [:]
        for stored in try decoded.values() { result[stored.rowID] = stored }
        try auditRead("read.chunks", ["chunks": result.count])
        return result
    }

    /// Every stored record, decoded.
    public func records() throws -> [ClinicalRecord] {
        let decoder = JSONDecoder()
        let records = try read { db in
            // In a fixed order (source, then record key), so that what is derived from the records is
            // the same on every run.
            try Data.fetchAll(db, sql: "SELECT payload FROM record ORDER BY sourceID, idKey").map {
                payload -> ClinicalRecord in
                do {
                    return try decoder.decode(ClinicalRecord.self, from: try cipher.open(payload, "record.payload"))
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw StoreError(.corrupt, "a stored record cannot be decoded", underlying: error)
                }
            }
        }
        try auditRead("read.records", ["records": records.count])
        // By date (undated first), then id: the order SQL gave when ids were stored in clear.
        return records.sorted {
            let (left, right) = ($0.date ?? .distantPast, $1.date ?? .distantPast)
            return left != right ? left < right : $0.id.rawValue < $1.id.rawValue
        }
    }

    /// BM25 full-text search over chunk text, best first (a lower BM25 value is a better match in SQLite;
    /// scores returned here are negated so that higher is better).
    ///
    /// Terms are folded and stemmed in Swift and matched as keyed hashes, so the index never holds a
    /// word in clear; BM25 is unchanged by the hashing (it counts terms, it does not read them).
    /// - Parameters:
    ///   - text: free text; it is split into words, each matched as a term, any of them may match.
    ///   - filter: conditions applied inside the query, before the limit.
    ///   - limit: how many rows at most.
    public func lexicalSearch(
        _ text: String,
        filter: SearchFilter = SearchFilter(),
        limit: Int
    ) throws -> [(rowID: Int64, score: Double)] {
        let terms = LexicalTokenizer.queryTerms(of: text).map(cipher.token)
        guard !terms.isEmpty, limit > 0 else { return [] }
        let match = Self.matchExpression(terms)
        var arguments: StatementArguments = [match]
        var sql = """
            SELECT rowid, bm25(chunk_fts, \(Self.titleWeight), 1.0) AS rank FROM chunk_fts
            WHERE chunk_fts MATCH ?
            """
        if let (condition, filterArguments) = Self.sqlCondition(for: filter, cipher: cipher) {
            // The filter is a rowid set, which FTS5 applies while it scans, before the limit.
            sql += " AND rowid IN (SELECT chunk.rowid FROM chunk JOIN source ON source.id = chunk.sourceID WHERE "
            sql += condition + ")"
            arguments += filterArguments
        }
        sql += " ORDER BY rank LIMIT ?"
        arguments += [limit]
        let hits = try read { db in
            // FTS runs alone in its own query with its own limit: joins around MATCH can defeat the plan.
            try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                (rowID: $0["rowid"] as Int64, score: -($0["rank"] as Double))
            }
        }
        try auditRead("search.lexical", ["terms": terms.count, "hits": hits.count])
        return hits
    }

    /// Whether any chunk matches any of the text's terms, as ``lexicalSearch(_:filter:limit:)`` would
    /// find it, without ranking: the lookup stops at the first match instead of scoring every chunk
    /// that has a common word. With `kinds`, only chunks of those kinds count ("a COVID vaccine" is
    /// looked for among immunizations, not in the COVID diagnosis).
    public func containsLexicalMatch(_ text: String, kinds: Set<RecordKind>? = nil) throws -> Bool {
        let terms = LexicalTokenizer.queryTerms(of: text).map(cipher.token)
        guard !terms.isEmpty else { return false }
        let found = try read { db in
            guard let kinds, !kinds.isEmpty else {
                return try Bool.fetchOne(
                    db,
                    sql: "SELECT 1 FROM chunk_fts WHERE chunk_fts MATCH ? LIMIT 1",
                    arguments: [Self.matchExpression(terms)]
                ) ?? false
            }
            let names = kinds.map(\.rawValue).sorted()
            var arguments: StatementArguments = [Self.matchExpression(terms)]
            for name in names { arguments += [name] }
            return try Bool.fetchOne(
                db,
                sql: """
                    SELECT 1 FROM chunk_fts JOIN chunk ON chunk.rowid = chunk_fts.rowid
                    WHERE chunk_fts MATCH ? AND chunk.kind IN (\(Array(repeating: "?", count: names.count).joined(separator: ",")))
                    LIMIT 1
                    """,
                arguments: arguments
            ) ?? false
        }
        try auditRead("search.lexical", ["terms": terms.count, "hits": found ? 1 : 0])
        return found
    }

    /// FTS5 query syntax for any of the terms: each quoted as a string, joined by OR.
    private static func matchExpression(_ terms: [String]) -> String {
        terms.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: " OR ")
    }

    /// The filter as a SQL condition over `chunk` and `source`, or nil when it keeps everything.
    static func sqlCondition(for filter: SearchFilter, cipher: SpaceCipher) -> (String, StatementArguments)? {
        guard !filter.isEmpty else { return nil }
        var conditions: [String] = []
        var arguments = StatementArguments()
        func list(_ column: String, _ values: [String]) {
            conditions.append("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ",")))")
            arguments += StatementArguments(values)
        }
        if let kinds = filter.kinds { list("chunk.kind", kinds.map(\.rawValue).sorted()) }
        if let statuses = filter.statuses { list("chunk.status", statuses.sorted()) }
        if let sources = filter.sources { list("source.pathKey", sources.map { cipher.lookup($0, "path") }.sorted()) }
        if let from = filter.from {
            conditions.append("chunk.date >= ?")
            arguments += [from.timeIntervalSince1970]
        }
        if let to = filter.to {
            conditions.append("chunk.date <= ?")
            arguments += [to.timeIntervalSince1970]
        }
        if let codes = filter.codes {
            var alternatives: [String] = []
            for code in codes.sorted() {
                // Code keys are stored space-separated; a bare code matches any system.
                let key = cipher.lookup(code.contains("|") ? "q:" + code : "b:" + code, "code")
                alternatives.append("(' ' || chunk.codeKeys || ' ') LIKE ? ESCAPE '\\'")
                let escaped = key.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                arguments += ["% \(escaped) %"]
            }
            conditions.append("(" + (alternatives.isEmpty ? "0" : alternatives.joined(separator: " OR ")) + ")")
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    /// How much more a term in a chunk's title counts than one in its body, in BM25.
    static let titleWeight = 4.0

    // MARK: - Access

    func readTransaction<T>(_ body: (Database) throws -> T) throws -> T { try read(body) }

    @discardableResult
    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T { try write(body) }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "reading \(url.lastPathComponent) failed", underlying: error)
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "writing \(url.lastPathComponent) failed", underlying: error)
        }
    }
}

/// Keyed hashes of the terms of chunk text, memoized for one write (a space's vocabulary is small,
/// its text long).
struct TokenCache {
    let cipher: SpaceCipher
    private var hashes: [String: String] = [:]

    init(cipher: SpaceCipher) { self.cipher = cipher }

    /// The text's terms as stored: keyed hashes, sorted, so that the order of words is not stored
    /// (BM25 needs the counts, not the positions).
    mutating func terms(of text: String) -> String {
        var out: [String] = []
        for term in LexicalTokenizer.terms(of: text) {
            if let hash = hashes[term] {
                out.append(hash)
            } else {
                let hash = cipher.token(term)
                hashes[term] = hash
                out.append(hash)
            }
        }
        return out.sorted().joined(separator: " ")
    }
}

/// The matrix being filled by the parallel parts (each writes its own rows).
private struct SharedFloats: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>?
}
