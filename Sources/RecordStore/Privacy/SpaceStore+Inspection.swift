import Crypto
package import Foundation
import GRDB

extension SpaceStore {
    /// Everything the space holds, decrypted, as one byte string (for tests that prove a deletion
    /// left nothing behind even for someone with the key). Vectors are left out (numbers, not text).
    package func decryptedContent() throws -> Data {
        var out = Data()
        try readTransaction { db in
            for row in try Row.fetchAll(db, sql: "SELECT path, fingerprint FROM source") {
                out += try cipher.open(row["path"], "source.path") + Data("\n".utf8)
                out += try cipher.open(row["fingerprint"], "source.fingerprint") + Data("\n".utf8)
            }
            for payload in try Data.fetchAll(db, sql: "SELECT payload FROM record") {
                out += try cipher.open(payload, "record.payload") + Data("\n".utf8)
            }
            for row in try Row.fetchAll(db, sql: "SELECT chunkID, codes, payload, kind, status FROM chunk") {
                out += try cipher.open(row["chunkID"], "chunk.chunkID") + Data("\n".utf8)
                out += try cipher.open(row["codes"], "chunk.codes") + Data("\n".utf8)
                out += try cipher.open(row["payload"], "chunk.payload") + Data("\n".utf8)
                out += Data("\(row["kind"] as String) \(row["status"] as String? ?? "")\n".utf8)
            }
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") {
                out += Data("\(row["key"] as String)=\(row["value"] as String)\n".utf8)
            }
        }
        return out
    }

    /// A SHA-256 over every sealed value as stored (ciphertext, nonces and tags): it changes when
    /// anything is re-encrypted, and only then.
    package func sealedContentDigest() throws -> String {
        var hasher = SHA256()
        try readTransaction { db in
            let queries = [
                "SELECT path, fingerprint FROM source ORDER BY id",
                "SELECT payload FROM record ORDER BY sourceID, idKey",
                "SELECT chunkID, codes, payload FROM chunk ORDER BY rowid",
                "SELECT data FROM vector ORDER BY chunkRowID",
            ]
            for sql in queries {
                for row in try Row.fetchAll(db, sql: sql) {
                    for index in 0..<row.count { hasher.update(data: row[index] as Data) }
                }
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
