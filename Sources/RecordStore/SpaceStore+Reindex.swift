import Foundation
import GRDB
import HealthRecords
public import TextEmbedding

/// What a reindex did.
public struct ReindexResult: Sendable, Hashable, Codable {
    /// Chunks embedded by this run (a resumed run counts only what was left).
    public var embedded: Int
    /// Chunks that were already embedded for the target by an earlier, interrupted run.
    public var resumed: Int
    /// Whether the space already had the target embedder (nothing to do).
    public var alreadyCurrent: Bool
}

extension SpaceStore {
    static func registerReindexMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-reindex") { db in
            try db.execute(
                sql: """
                    CREATE TABLE vector_shadow(
                        chunkRowID INTEGER PRIMARY KEY REFERENCES chunk(rowid) ON DELETE CASCADE,
                        data BLOB NOT NULL
                    );
                    """
            )
        }
    }

    /// Re-embeds every chunk with another embedder into a shadow table, batch by batch (each batch
    /// committed, so a killed run resumes where it stopped), then swaps the vectors and the stamp in
    /// one transaction. Readers keep the old vectors until the swap.
    ///
    /// - Parameters:
    ///   - identity: the new embedder's identity.
    ///   - batchSize: chunks embedded per committed batch.
    ///   - embed: the new embedder's function.
    ///   - progress: called after each batch with (chunks with a new vector, chunks in all).
    /// - Returns: counts.
    /// - Throws: what `embed` throws (the batches done so far are kept for the next run), or ``StoreError``.
    @discardableResult
    public func reindex(
        to identity: EmbedderIdentity,
        batchSize: Int = 256,
        embed: ([String]) throws -> [[Float]],
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> ReindexResult {
        if try embedderStamp() == identity {
            return ReindexResult(embedded: 0, resumed: 0, alreadyCurrent: true)
        }
        let target = "\(identity.id)|\(identity.dimension)|\(identity.version)"
        let resumed = try writeTransaction { db -> Int in
            let previous = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'reindex.target'")
            if previous != target {
                try db.execute(sql: "DELETE FROM vector_shadow")
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('reindex.target', ?)",
                    arguments: [target]
                )
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM vector_shadow") ?? 0
        }
        var embedded = 0
        while true {
            let (batch, total, done) = try readTransaction { db -> ([(Int64, String)], Int, Int) in
                let decoder = JSONDecoder()
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT rowid, payload FROM chunk
                        WHERE rowid NOT IN (SELECT chunkRowID FROM vector_shadow)
                        ORDER BY rowid LIMIT ?
                        """,
                    arguments: [batchSize]
                ).map { (row: Row) -> (Int64, String) in
                    let payload = try cipher.open(row["payload"], "chunk.payload")
                    do {
                        return (row["rowid"], try decoder.decode(Chunk.self, from: payload).text)
                    } catch {
                        throw StoreError(.corrupt, "a stored chunk cannot be decoded", underlying: error)
                    }
                }
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk") ?? 0
                let done = try Int.fetchOne(db, sql: "SELECT count(*) FROM vector_shadow") ?? 0
                return (rows, total, done)
            }
            if batch.isEmpty {
                // Swap, unless an ingest added chunks since the last read (then embed those first).
                let swapped = try writeTransaction { db -> Bool in
                    let missing = try Int.fetchOne(
                        db,
                        sql: "SELECT count(*) FROM chunk WHERE rowid NOT IN (SELECT chunkRowID FROM vector_shadow)"
                    )
                    guard missing == 0 else { return false }
                    try db.execute(sql: "DELETE FROM vector")
                    try db.execute(
                        sql: """
                            INSERT INTO vector(chunkRowID, embedder, dimension, data)
                            SELECT chunkRowID, ?, ?, data FROM vector_shadow
                            """,
                        arguments: [identity.id, identity.dimension]
                    )
                    try db.execute(sql: "DELETE FROM vector_shadow")
                    try db.execute(sql: "DELETE FROM projection")
                    try db.execute(sql: "DELETE FROM meta WHERE key = 'reindex.target'")
                    try Self.writeStamp(identity, db)
                    try appendAudit("write.reindex", ["vectors": embedded + resumed], db)
                    return true
                }
                if swapped { break }
                continue
            }
            let vectors = try embed(batch.map(\.1))
            guard vectors.count == batch.count, vectors.allSatisfy({ $0.count == identity.dimension }) else {
                throw StoreError(.corrupt, "the new embedder returned vectors of the wrong number or dimension")
            }
            try writeTransaction { db in
                let statement = try db.makeStatement(
                    sql: "INSERT OR REPLACE INTO vector_shadow(chunkRowID, data) VALUES (?, ?)"
                )
                for ((rowID, _), vector) in zip(batch, vectors) {
                    // A chunk deleted since the read is skipped (its row no longer exists).
                    guard try Bool.fetchOne(db, sql: "SELECT 1 FROM chunk WHERE rowid = ?", arguments: [rowID]) == true
                    else { continue }
                    try statement.execute(arguments: [rowID, try cipher.seal(VectorCoding.data(vector), "vector.data")])
                }
            }
            embedded += batch.count
            progress?(done + batch.count, total)
        }
        return ReindexResult(embedded: embedded, resumed: resumed, alreadyCurrent: false)
    }
}
