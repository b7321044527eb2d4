import Foundation
import GRDB

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

    /// Records a read in the audit trail (its own small write).
    func auditRead(_ operation: String, _ counts: [String: Int]) throws {
        try writeTransaction { db in try appendAudit(operation, counts, db) }
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
