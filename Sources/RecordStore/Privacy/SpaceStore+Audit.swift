import Foundation
import GRDB
import Synchronization

extension SpaceStore {
    static func registerAuditMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit(
                        id INTEGER PRIMARY KEY,
                        at DOUBLE NOT NULL,
                        operation TEXT NOT NULL,
                        caller TEXT NOT NULL,
                        counts TEXT NOT NULL
                    );
                    """
            )
        }
    }

    /// Records an operation in the audit trail, inside the caller's write transaction.
    func appendAudit(_ operation: String, _ counts: [String: Int], _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.execute(
            sql: "INSERT INTO audit(at, operation, caller, counts) VALUES (?, ?, ?, ?)",
            arguments: [
                Date().timeIntervalSince1970, operation, callerLabel,
                String(decoding: try encoder.encode(counts), as: UTF8.self),
            ]
        )
    }

    /// Records a read in the audit trail (its own small write), or adds it to the entry of the
    /// enclosing ``auditedAsOne(_:_:)`` on this store.
    func auditRead(_ operation: String, _ counts: [String: Int]) throws {
        if let batch = AuditBatch.current, batch.store == ObjectIdentifier(self) {
            batch.add(operation, counts)
            return
        }
        try writeTransaction { db in try appendAudit(operation, counts, db) }
    }

    /// Runs `body` with the reads it makes on this store recorded as one audit entry, `operation`,
    /// written when `body` returns or throws: its counts add up the reads' counts, and count the reads
    /// by their own operation (`"search.lexical": 3`). One question answered is one entry in the trail
    /// and one small write, instead of one per internal read.
    public func auditedAsOne<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        let batch = AuditBatch(store: ObjectIdentifier(self))
        let result: Result<T, any Error> = AuditBatch.$current.withValue(batch) { Result { try body() } }
        try writeTransaction { db in try appendAudit(operation, batch.counts, db) }
        return try result.get()
    }

    /// The ``auditedAsOne(_:_:)`` the caller is inside, if any, to carry onto another thread with
    /// ``withAuditScope(_:_:)``: reads made there then count in the same entry.
    public static var currentAuditScope: AuditScope { AuditScope(batch: AuditBatch.current) }

    /// Runs `body` inside the ``auditedAsOne(_:_:)`` that `scope` was taken in (on any thread).
    public static func withAuditScope<T>(_ scope: AuditScope, _ body: () throws -> T) rethrows -> T {
        try AuditBatch.$current.withValue(scope.batch) { try body() }
    }

    /// The space's audit trail, oldest first: every read and write of its content, with time,
    /// operation, counts and caller label.
    /// - Parameter limit: only the latest `limit` entries, when given.
    public func auditTrail(limit: Int? = nil) throws -> [AuditEntry] {
        let decoder = JSONDecoder()
        return try readTransaction { db in
            var sql = "SELECT at, operation, caller, counts FROM audit ORDER BY id DESC"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            return try Row.fetchAll(db, sql: sql).reversed().map { row in
                let counts: String = row["counts"]
                return AuditEntry(
                    at: Date(timeIntervalSince1970: row["at"]),
                    operation: row["operation"],
                    caller: row["caller"],
                    counts: (try? decoder.decode([String: Int].self, from: Data(counts.utf8))) ?? [:]
                )
            }
        }
    }
}

/// Where reads are being counted, as taken by ``SpaceStore/currentAuditScope``.
public struct AuditScope: Sendable {
    let batch: AuditBatch?
}

/// The reads made inside one ``SpaceStore/auditedAsOne(_:_:)``.
final class AuditBatch: Sendable {
    @TaskLocal static var current: AuditBatch?

    let store: ObjectIdentifier
    private let merged = Mutex<[String: Int]>([:])

    init(store: ObjectIdentifier) { self.store = store }

    func add(_ operation: String, _ counts: [String: Int]) {
        merged.withLock { merged in
            merged[operation, default: 0] += 1
            for (key, value) in counts { merged[key, default: 0] += value }
        }
    }

    var counts: [String: Int] { merged.withLock { $0 } }
}
