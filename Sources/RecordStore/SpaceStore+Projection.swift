import Foundation
import GRDB
public import TextEmbedding
public import VectorSearch

extension SpaceStore {
    static func registerProjectionMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-projection") { db in
            try db.execute(
                sql: """
                    CREATE TABLE projection(
                        name TEXT PRIMARY KEY NOT NULL,
                        embedder TEXT NOT NULL,
                        payload BLOB NOT NULL
                    );
                    """
            )
        }
    }

    /// Stores a PCA projection fitted on the space's vectors, for the opt-in reduced scan.
    public func saveProjection(_ projection: PCAProjection, for identity: EmbedderIdentity) throws {
        let payload = try cipher.seal(try JSONEncoder().encode(projection), "projection.payload")
        try writeTransaction { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO projection(name, embedder, payload) VALUES ('pca', ?, ?)",
                arguments: [identity.id, payload]
            )
            try appendAudit("write.projection", ["components": projection.components], db)
        }
    }

    /// The stored PCA projection for this embedder, or nil when none was built (or it was built for
    /// vectors of another embedder).
    public func projection(for identity: EmbedderIdentity) throws -> PCAProjection? {
        let payload = try readTransaction { db in
            try Data.fetchOne(
                db,
                sql: "SELECT payload FROM projection WHERE name = 'pca' AND embedder = ?",
                arguments: [identity.id]
            )
        }
        guard let payload else { return nil }
        let opened = try cipher.open(payload, "projection.payload")
        try auditRead("read.projection", [:])
        do {
            return try JSONDecoder().decode(PCAProjection.self, from: opened)
        } catch {
            throw StoreError(.corrupt, "the stored PCA projection cannot be decoded", underlying: error)
        }
    }
}
