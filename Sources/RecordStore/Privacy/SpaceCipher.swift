import Crypto
import Foundation

/// A space's content protection: AES-256-GCM sealing under the space's data key, and keyed hashes
/// (HMAC-SHA256) for the values that must stay comparable inside SQLite (full-text terms, code
/// filters, source paths, chunk ids). Each use has its own subkey, derived from the data key by HKDF.
///
/// The plaintext cipher (encryption disabled) passes everything through, so the rest of the store
/// runs the same code in both modes.
struct SpaceCipher: Sendable {
    private let sealing: SymmetricKey?
    private let tokens: SymmetricKey?
    private let lookups: SymmetricKey?

    /// No protection: values are stored as they are.
    static let plaintext = SpaceCipher(sealing: nil, tokens: nil, lookups: nil)

    private init(sealing: SymmetricKey?, tokens: SymmetricKey?, lookups: SymmetricKey?) {
        self.sealing = sealing
        self.tokens = tokens
        self.lookups = lookups
    }

    /// The cipher of a data key.
    init(dataKey: SymmetricKey) {
        func derive(_ label: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: dataKey,
                salt: Data("healthground space v1".utf8),
                info: Data(label.utf8),
                outputByteCount: 32
            )
        }
        self.init(sealing: derive("data encryption"), tokens: derive("token hashing"), lookups: derive("lookup keys"))
    }

    /// Whether values are encrypted.
    var isEncrypted: Bool { sealing != nil }

    /// AES-256-GCM with a random nonce; `label` (the table and column) is authenticated with it, so
    /// a ciphertext moved to another column does not open.
    func seal(_ data: Data, _ label: String) throws -> Data {
        guard let sealing else { return data }
        do {
            guard let combined = try AES.GCM.seal(data, using: sealing, authenticating: Data(label.utf8)).combined
            else { throw StoreError(.corrupt, "AES-GCM produced no combined box") }
            return combined
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, "encrypting \(label) failed", underlying: error)
        }
    }

    /// Opens what ``seal(_:_:)`` sealed.
    /// - Throws: ``StoreError`` `.corrupt` when the box was altered, moved or sealed under another key.
    func open(_ data: Data, _ label: String) throws -> Data {
        guard let sealing else { return data }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: sealing, authenticating: Data(label.utf8))
        } catch {
            throw StoreError(.corrupt, "a stored \(label) does not decrypt under the space's key", underlying: error)
        }
    }

    func seal(_ text: String, _ label: String) throws -> Data { try seal(Data(text.utf8), label) }

    func openString(_ data: Data, _ label: String) throws -> String {
        String(decoding: try open(data, label), as: UTF8.self)
    }

    /// A full-text term as stored: 16 hex digits of HMAC-SHA256 under the token subkey (64 bits: no
    /// collision expected below billions of distinct terms); the term itself in plaintext mode.
    func token(_ term: String) -> String {
        guard let tokens else { return term }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(term.utf8), using: tokens), bytes: 8)
    }

    /// A value that SQL compares for equality (a path, a chunk id, a code): 32 hex digits of
    /// HMAC-SHA256 under the lookup subkey, with a domain so equal strings of two kinds differ.
    func lookup(_ value: String, _ domain: String) -> String {
        guard let lookups else { return value }
        return Self.hex(
            HMAC<SHA256>.authenticationCode(for: Data((domain + "\u{1F}" + value).utf8), using: lookups),
            bytes: 16
        )
    }

    private static func hex(_ code: HMAC<SHA256>.MAC, bytes: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes * 2)
        for byte in Data(code).prefix(bytes) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Wrapping a space's data key under a key-encryption key (AES-256-GCM with a fixed label), and
/// unwrapping it.
enum DataKeyWrap {
    static let label = Data("healthground data key v1".utf8)

    static func wrap(_ dataKey: SymmetricKey, under kek: KeyEncryptionKey) throws -> Data {
        let bytes = dataKey.withUnsafeBytes { Data($0) }
        do {
            guard
                let combined = try AES.GCM.seal(bytes, using: SymmetricKey(data: kek.bytes), authenticating: label)
                    .combined
            else { throw StoreError(.keyUnavailable, "AES-GCM produced no combined box") }
            return combined
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.keyUnavailable, "wrapping a data key failed", underlying: error)
        }
    }

    static func unwrap(_ wrapped: Data, under kek: KeyEncryptionKey, what: String) throws -> SymmetricKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            return SymmetricKey(
                data: try AES.GCM.open(box, using: SymmetricKey(data: kek.bytes), authenticating: label)
            )
        } catch {
            throw StoreError(
                .keyUnavailable,
                "the data key of \(what) does not unwrap under key-encryption key \(kek.id) (wrong key or altered file)",
                underlying: error
            )
        }
    }

    /// Finds the key-encryption key a data key was wrapped under and unwraps it.
    static func unwrap(_ wrapped: Data, kekID: String, provider: any KeyProvider, what: String) throws -> SymmetricKey {
        let kek: KeyEncryptionKey?
        do {
            kek = try provider.key(id: kekID)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.keyUnavailable, "the key provider failed for \(what)", underlying: error)
        }
        guard let kek else {
            throw StoreError(
                .keyUnavailable,
                "the data key of \(what) is wrapped under key-encryption key \(kekID), which the key provider "
                    + "does not have (missing or replaced key file?); nothing was changed"
            )
        }
        return try unwrap(wrapped, under: kek, what: what)
    }
}
