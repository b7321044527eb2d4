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
public final class SpaceStore: Sendable {
    /// The database file.
    public let url: URL
    private let pool: DatabasePool
    private let logger: Logger

    /// Opens (creating and migrating if needed) the space database at `url`.
    /// - Throws: ``StoreError`` when the file cannot be opened or migrated.
    public init(url: URL, logger: Logger) throws {
        self.url = url
        self.logger = logger
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Deleted content is overwritten with zeros, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        configuration.label = "space"
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            pool = try DatabasePool(path: url.path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(.database, "cannot open the space database \(url.lastPathComponent)", underlying: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE source(
                        id INTEGER PRIMARY KEY,
                        path TEXT NOT NULL UNIQUE,
                        fingerprint TEXT NOT NULL,
                        ingestedAt DOUBLE NOT NULL,
                        recordCount INTEGER NOT NULL,
                        chunkCount INTEGER NOT NULL
                    );
                    CREATE TABLE record(
                        sourceID INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
                        id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        date DOUBLE,
                        payload BLOB NOT NULL,
                        PRIMARY KEY(sourceID, id)
                    ) WITHOUT ROWID;
                    CREATE TABLE chunk(
                        rowid INTEGER PRIMARY KEY,
                        sourceID INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
                        chunkID TEXT NOT NULL,
                        recordID TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        category TEXT,
                        status TEXT,
                        date DOUBLE,
                        codes TEXT NOT NULL,
                        title TEXT NOT NULL,
                        text TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        UNIQUE(sourceID, chunkID)
                    );
                    CREATE INDEX chunk_kind_date ON chunk(kind, date);
                    CREATE TABLE vector(
                        chunkRowID INTEGER PRIMARY KEY REFERENCES chunk(rowid) ON DELETE CASCADE,
                        embedder TEXT NOT NULL,
                        dimension INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE VIRTUAL TABLE chunk_fts USING fts5(
                        title, text, content='chunk', content_rowid='rowid',
                        tokenize='porter unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER chunk_fts_insert AFTER INSERT ON chunk BEGIN
                        INSERT INTO chunk_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
                    END;
                    CREATE TRIGGER chunk_fts_delete AFTER DELETE ON chunk BEGIN
                        INSERT INTO chunk_fts(chunk_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
                    END;
                    """
            )
        }
        registerReindexMigration(&migrator)
        registerProjectionMigration(&migrator)
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
        try read { db in
            try String.fetchOne(db, sql: "SELECT fingerprint FROM source WHERE path = ?", arguments: [path])
        }
    }

    /// The chunk ids a source has now, so that a changed file is embedded only where it changed.
    public func chunkIDs(ofSource path: String) throws -> Set<ChunkID> {
        try read { db in
            let ids = try String.fetchAll(
                db,
                sql: "SELECT chunk.chunkID FROM chunk JOIN source ON source.id = chunk.sourceID WHERE source.path = ?",
                arguments: [path]
            )
            return Set(ids.map(ChunkID.init))
        }
    }

    /// Stores a source in one transaction: new chunks are added, chunks no longer produced are
    /// removed (with their vectors and FTS entries), unchanged chunks are kept; records are replaced.
    /// - Throws: ``StoreError`` (nothing is written on failure).
    @discardableResult
    public func replaceSource(_ input: SourceInput) throws -> SourceChange {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
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
                sql: "SELECT id, fingerprint FROM source WHERE path = ?",
                arguments: [input.path]
            )
            if let existing, (existing["fingerprint"] as String) == input.fingerprint {
                let count = try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM chunk WHERE sourceID = ?",
                    arguments: [existing["id"] as Int64]
                )
                return SourceChange(
                    outcome: .unchanged,
                    chunksAdded: 0,
                    chunksRemoved: 0,
                    chunksKept: count ?? 0,
                    recordCount: input.records.count
                )
            }
            let sourceID: Int64
            if let existing {
                sourceID = existing["id"]
                try db.execute(
                    sql: """
                        UPDATE source SET fingerprint = ?, ingestedAt = ?, recordCount = ?, chunkCount = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        input.fingerprint, Date().timeIntervalSince1970, input.records.count, input.chunks.count,
                        sourceID,
                    ]
                )
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO source(path, fingerprint, ingestedAt, recordCount, chunkCount)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        input.path, input.fingerprint, Date().timeIntervalSince1970, input.records.count,
                        input.chunks.count,
                    ]
                )
                sourceID = db.lastInsertedRowID
            }
            // Records are small: replace them all.
            try db.execute(sql: "DELETE FROM record WHERE sourceID = ?", arguments: [sourceID])
            let recordStatement = try db.makeStatement(
                sql: "INSERT OR REPLACE INTO record(sourceID, id, kind, date, payload) VALUES (?, ?, ?, ?, ?)"
            )
            for record in input.records {
                try recordStatement.execute(arguments: [
                    sourceID, record.id.rawValue, record.kind.rawValue, record.date?.timeIntervalSince1970,
                    try encoder.encode(record),
                ])
            }
            // Chunks: diff by content-derived id.
            let stored = try Row.fetchAll(
                db,
                sql: "SELECT rowid, chunkID FROM chunk WHERE sourceID = ?",
                arguments: [sourceID]
            )
            var storedIDs: [String: Int64] = [:]
            for row in stored { storedIDs[row["chunkID"]] = row["rowid"] }
            let wanted = Set(input.chunks.map(\.chunk.id.rawValue))
            var removed = 0
            for (chunkID, rowID) in storedIDs where !wanted.contains(chunkID) {
                try db.execute(sql: "DELETE FROM chunk WHERE rowid = ?", arguments: [rowID])
                removed += 1
            }
            let chunkStatement = try db.makeStatement(
                sql: """
                    INSERT INTO chunk(sourceID, chunkID, recordID, kind, category, status, date, codes, title, text, payload)
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
                guard seen.insert(chunk.id.rawValue).inserted else { continue }
                if storedIDs[chunk.id.rawValue] != nil {
                    kept += 1
                    continue
                }
                guard let vector, vector.count == input.embedder.dimension else {
                    throw StoreError(.corrupt, "a new chunk of \(input.path) has no vector of the embedder's dimension")
                }
                let codes = chunk.codes.map { "\($0.system.shortName)|\($0.code)" }.joined(separator: " ")
                try chunkStatement.execute(arguments: [
                    sourceID, chunk.id.rawValue, chunk.recordID.rawValue, chunk.kind.rawValue, chunk.category,
                    chunk.status, chunk.date?.timeIntervalSince1970, codes, chunk.title, chunk.text,
                    try encoder.encode(chunk),
                ])
                try vectorStatement.execute(arguments: [
                    db.lastInsertedRowID, input.embedder.id, input.embedder.dimension, VectorCoding.data(vector),
                ])
                added += 1
            }
            try db.execute(
                sql: "UPDATE source SET chunkCount = (SELECT count(*) FROM chunk WHERE sourceID = ?) WHERE id = ?",
                arguments: [sourceID, sourceID]
            )
            if removed > 0 { try Self.purgeDeletedText(db) }
            return SourceChange(
                outcome: existing == nil ? .added : .updated,
                chunksAdded: added,
                chunksRemoved: removed,
                chunksKept: kept,
                recordCount: input.records.count
            )
        }
        if change.chunksRemoved > 0 { try truncateWriteAheadLog() }
        return change
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
        let removed = try write { db -> Int? in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM source WHERE path = ?", arguments: [path])
            else { return nil }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE sourceID = ?", arguments: [id]) ?? 0
            try db.execute(sql: "DELETE FROM chunk WHERE sourceID = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM source WHERE id = ?", arguments: [id])
            try Self.purgeDeletedText(db)
            return count
        }
        try truncateWriteAheadLog()
        return removed
    }

    /// Merges the full-text index into one segment, so that deleted chunks' terms leave the index
    /// (FTS5 otherwise keeps them in older segments behind delete markers until a merge).
    private static func purgeDeletedText(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO chunk_fts(chunk_fts) VALUES ('optimize')")
    }

    /// Copies the write-ahead log into the database and truncates it to zero bytes, so that deleted
    /// content does not survive in old WAL frames.
    private func truncateWriteAheadLog() throws {
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            throw StoreError(.database, "checkpointing \(url.lastPathComponent) failed", underlying: error)
        }
    }

    // MARK: - Reading

    /// The sources the space holds, by path.
    public func sources() throws -> [StoredSource] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM source ORDER BY path").map { row in
                StoredSource(
                    path: row["path"],
                    fingerprint: row["fingerprint"],
                    recordCount: row["recordCount"],
                    chunkCount: row["chunkCount"]
                )
            }
        }
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

    /// All vectors of the space as one matrix, with each row's chunk row id and filterable facts.
    /// - Throws: ``StoreError`` `.embedderMismatch` when the space was embedded by another embedder.
    public func loadVectors(for identity: EmbedderIdentity) throws -> LoadedVectors {
        try requireEmbedder(identity)
        return try read { db in
            var loaded = LoadedVectors(dimension: identity.dimension)
            var storage: [Float] = []
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT vector.chunkRowID AS rowid, vector.data AS data, chunk.kind AS kind, chunk.date AS date,
                           chunk.codes AS codes, chunk.status AS status, source.path AS path
                    FROM vector JOIN chunk ON chunk.rowid = vector.chunkRowID
                    JOIN source ON source.id = chunk.sourceID
                    ORDER BY vector.chunkRowID
                    """
            )
            while let row = try cursor.next() {
                let data: Data = row["data"]
                guard VectorCoding.append(data, dimension: identity.dimension, to: &storage),
                    let kind = RecordKind(rawValue: row["kind"])
                else {
                    throw StoreError(.corrupt, "a stored vector does not have \(identity.dimension) numbers")
                }
                loaded.rowIDs.append(row["rowid"])
                let codes: String = row["codes"]
                loaded.facts.append(
                    ChunkFacts(
                        kind: kind,
                        date: (row["date"] as Double?).map(Date.init(timeIntervalSince1970:)),
                        codes: codes.split(separator: " ").map(String.init),
                        sourcePath: row["path"],
                        status: row["status"]
                    )
                )
            }
            loaded.matrix = VectorMatrix(dimension: identity.dimension, storage: storage)
            return loaded
        }
    }

    /// The stored chunks with these rows, in no particular order.
    public func chunks(rowIDs: [Int64]) throws -> [Int64: StoredChunk] {
        guard !rowIDs.isEmpty else { return [:] }
        let decoder = JSONDecoder()
        return try read { db in
            var result: [Int64: StoredChunk] = [:]
            let placeholders = Array(repeating: "?", count: rowIDs.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT chunk.rowid AS rowid, chunk.payload AS payload, source.path AS path
                    FROM chunk JOIN source ON source.id = chunk.sourceID
                    WHERE chunk.rowid IN (\(placeholders))
                    """,
                arguments: StatementArguments(rowIDs)
            )
            for row in rows {
                let payload: Data = row["payload"]
                do {
                    let chunk = try decoder.decode(Chunk.self, from: payload)
                    result[row["rowid"]] = StoredChunk(rowID: row["rowid"], sourcePath: row["path"], chunk: chunk)
                } catch {
                    throw StoreError(.corrupt, "a stored chunk cannot be decoded", underlying: error)
                }
            }
            return result
        }
    }

    /// Every stored record, decoded.
    public func records() throws -> [ClinicalRecord] {
        let decoder = JSONDecoder()
        return try read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM record ORDER BY date, id").map {
                try decoder.decode(ClinicalRecord.self, from: $0)
            }
        }
    }

    /// BM25 full-text search over chunk text, best first (a lower BM25 value is a better match in SQLite;
    /// scores returned here are negated so that higher is better).
    /// - Parameters:
    ///   - text: free text; it is split into words, each matched as a term, any of them may match.
    ///   - filter: conditions applied inside the query, before the limit.
    ///   - limit: how many rows at most.
    public func lexicalSearch(
        _ text: String,
        filter: SearchFilter = SearchFilter(),
        limit: Int
    ) throws -> [(rowID: Int64, score: Double)] {
        let terms = LexicalQuery.terms(in: text)
        guard !terms.isEmpty, limit > 0 else { return [] }
        let match = terms.map { "\"\($0)\"" }.joined(separator: " OR ")
        var arguments: StatementArguments = [match]
        var sql = """
            SELECT rowid, bm25(chunk_fts, \(Self.titleWeight), 1.0) AS rank FROM chunk_fts
            WHERE chunk_fts MATCH ?
            """
        if let (condition, filterArguments) = Self.sqlCondition(for: filter) {
            // The filter is a rowid set, which FTS5 applies while it scans, before the limit.
            sql += " AND rowid IN (SELECT chunk.rowid FROM chunk JOIN source ON source.id = chunk.sourceID WHERE "
            sql += condition + ")"
            arguments += filterArguments
        }
        sql += " ORDER BY rank LIMIT ?"
        arguments += [limit]
        return try read { db in
            // FTS runs alone in its own query with its own limit: joins around MATCH can defeat the plan.
            try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                (rowID: $0["rowid"], score: -($0["rank"] as Double))
            }
        }
    }

    /// The filter as a SQL condition over `chunk` and `source`, or nil when it keeps everything.
    static func sqlCondition(for filter: SearchFilter) -> (String, StatementArguments)? {
        guard !filter.isEmpty else { return nil }
        var conditions: [String] = []
        var arguments = StatementArguments()
        func list(_ column: String, _ values: [String]) {
            conditions.append("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ",")))")
            arguments += StatementArguments(values)
        }
        if let kinds = filter.kinds { list("chunk.kind", kinds.map(\.rawValue).sorted()) }
        if let statuses = filter.statuses { list("chunk.status", statuses.sorted()) }
        if let sources = filter.sources { list("source.path", sources.sorted()) }
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
                // Codes are stored space-separated as SYSTEM|CODE; a bare code matches any system.
                alternatives.append("(' ' || chunk.codes || ' ') LIKE ? ESCAPE '\\'")
                let escaped = code.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                arguments += [code.contains("|") ? "% \(escaped) %" : "%|\(escaped) %"]
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
