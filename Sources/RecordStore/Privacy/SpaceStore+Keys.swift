import Crypto
import Foundation
import GRDB

extension SpaceStore {
    private static let encryptedMode = "aes-256-gcm"
    private static let plaintextMode = "none"

    private struct Keyring {
        var mode: String?
        var kekID: String?
        var wrapped: Data?
        var sealedID: Data?

        static func fetch(_ db: Database) throws -> Keyring {
            var values: [String: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT key, value FROM meta WHERE key LIKE 'key.%' OR key LIKE 'space.%'"
            ) {
                values[row["key"]] = row["value"]
            }
            return Keyring(
                mode: values["key.mode"],
                kekID: values["key.kek"],
                wrapped: values["key.wrapped"].flatMap { Data(base64Encoded: $0) },
                sealedID: values["space.id"].flatMap { Data(base64Encoded: $0) }
            )
        }
    }

    /// Reads (or, in a new file, creates) the space's data key and stored id.
    static func openKeyring(
        _ pool: DatabasePool,
        encryption: SpaceEncryption,
        spaceID: String?,
        url: URL
    ) throws -> (SpaceCipher, String?) {
        let name = url.lastPathComponent
        do {
            var keyring = try pool.read { try Keyring.fetch($0) }
            if keyring.mode == nil {
                // A new space: a random data key, wrapped under the provider's current key.
                var values: [String: String] = [:]
                let cipher: SpaceCipher
                switch encryption {
                case .disabled:
                    values["key.mode"] = plaintextMode
                    cipher = .plaintext
                case .enabled(let provider):
                    let kek = try provider.currentKey()
                    let dataKey = SymmetricKey(size: .bits256)
                    values["key.mode"] = encryptedMode
                    values["key.kek"] = kek.id
                    values["key.wrapped"] = try DataKeyWrap.wrap(dataKey, under: kek).base64EncodedString()
                    cipher = SpaceCipher(dataKey: dataKey)
                }
                if let spaceID { values["space.id"] = try cipher.seal(spaceID, "meta.space.id").base64EncodedString() }
                try pool.write { db in
                    // Another connection may have created the keyring since the read: keep the first.
                    guard try Keyring.fetch(db).mode == nil else { return }
                    for (key, value) in values {
                        try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
                    }
                }
                keyring = try pool.read { try Keyring.fetch($0) }
            }
            let cipher: SpaceCipher
            switch (keyring.mode ?? "", encryption) {
            case (plaintextMode, .disabled):
                cipher = .plaintext
            case (encryptedMode, .enabled(let provider)):
                guard let kekID = keyring.kekID, let wrapped = keyring.wrapped else {
                    throw StoreError(.keyUnavailable, "the space \(name) has no wrapped data key (destroyed?)")
                }
                cipher = SpaceCipher(
                    dataKey: try DataKeyWrap.unwrap(wrapped, kekID: kekID, provider: provider, what: "space \(name)")
                )
            case (plaintextMode, .enabled):
                throw StoreError(.keyUnavailable, "the space \(name) is stored without encryption; open it so")
            default:
                throw StoreError(.keyUnavailable, "the space \(name) is encrypted; open it with a key provider")
            }
            let storedID = try keyring.sealedID.map { try cipher.openString($0, "meta.space.id") }
            // A file copied over another space's file must not open under that space's name: the id
            // sealed inside (authenticated when the space is encrypted) must be the one asked for.
            if let spaceID, let storedID, storedID != spaceID {
                throw StoreError(
                    .corrupt,
                    "the file \(name) belongs to another space and is refused for the space asked for"
                )
            }
            return (cipher, storedID)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "cannot read the keyring of \(name)", underlying: error)
        }
    }

    /// Whether the space's content is encrypted.
    public var isEncrypted: Bool { cipher.isEncrypted }

    /// The id of the key-encryption key that wraps the space's data key (nil without encryption).
    public func keyEncryptionKeyID() throws -> String? {
        try readTransaction { try Keyring.fetch($0).kekID }
    }

    /// Re-wraps the space's data key under the provider's current key-encryption key, without
    /// re-encrypting any data (the data key does not change).
    /// - Returns: whether the key was re-wrapped (false when it already was under the current key,
    ///   or the space is not encrypted).
    /// - Throws: ``StoreError`` `.keyUnavailable` when the old key is not available (nothing changes).
    @discardableResult
    public func rewrapDataKey(with provider: any KeyProvider) throws -> Bool {
        guard cipher.isEncrypted else { return false }
        let name = url.lastPathComponent
        let keyring = try readTransaction { try Keyring.fetch($0) }
        guard let kekID = keyring.kekID, let wrapped = keyring.wrapped else {
            throw StoreError(.keyUnavailable, "the space \(name) has no wrapped data key")
        }
        let current = try provider.currentKey()
        guard current.id != kekID else { return false }
        let dataKey = try DataKeyWrap.unwrap(wrapped, kekID: kekID, provider: provider, what: "space \(name)")
        let rewrapped = try DataKeyWrap.wrap(dataKey, under: current).base64EncodedString()
        try writeTransaction { db in
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'key.kek'", arguments: [current.id])
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'key.wrapped'", arguments: [rewrapped])
            try appendAudit("key.rewrap", [:], db)
        }
        try truncateWriteAheadLog()
        return true
    }

    /// Deletes the whole space: the wrapped data key is overwritten (crypto-shredding: every
    /// ciphertext left anywhere becomes unreadable), every row is deleted with `secure_delete`, the
    /// write-ahead log is truncated, the database is closed and its files are removed. The store
    /// cannot be used afterwards.
    /// - Returns: a receipt with counts (the audit trail goes with the space).
    public func destroy() throws -> DeletionReceipt {
        func count(_ db: Database, _ table: String) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        }
        let receipt = try writeTransaction { db -> DeletionReceipt in
            let receipt = DeletionReceipt(
                scope: .space,
                spaceID: spaceID ?? "",
                at: Date(),
                sources: try count(db, "source"),
                records: try count(db, "record"),
                chunks: try count(db, "chunk"),
                vectors: try count(db, "vector"),
                auditEntries: try count(db, "audit"),
                measures: [
                    "data key destroyed (crypto-shredding)", "rows deleted with secure_delete",
                    "full-text index merged", "write-ahead log truncated", "files removed",
                ]
            )
            try db.execute(sql: "DELETE FROM meta")
            for table in [
                "vector_snapshot", "vector_shadow", "vector", "chunk", "record", "source", "projection", "audit",
            ] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            try Self.purgeDeletedText(db)
            return receipt
        }
        try truncateWriteAheadLog()
        do {
            try pool.close()
        } catch {
            throw StoreError(.database, "closing \(url.lastPathComponent) failed", underlying: error)
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let file = URL(fileURLWithPath: url.path + suffix)
            if FileManager.default.fileExists(atPath: file.path) {
                do {
                    try FileManager.default.removeItem(at: file)
                } catch {
                    throw StoreError(.database, "removing \(file.lastPathComponent) failed", underlying: error)
                }
            }
        }
        var done = receipt
        done.at = Date()
        return done
    }
}
