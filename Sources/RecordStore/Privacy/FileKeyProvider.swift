import Crypto
public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The default key provider: key-encryption keys in a file readable by the owner only (0600),
/// created with a random key on first use.
///
/// The file holds one key per line (`hgkek1:<base64>`), the current key first; more than one line
/// exists only during a rotation. Keeping the file on another volume than the spaces (or in a
/// keychain or KMS, through another ``KeyProvider``) is what makes a copy of the spaces unreadable.
public struct FileKeyProvider: RotatingKeyProvider {
    /// The key file.
    public let url: URL

    /// A provider over a key file (nothing is read or created until a key is asked for).
    public init(url: URL) {
        self.url = url
    }

    /// The provider for a data directory: `<dataDirectory>/key-encryption.key`.
    public init(dataDirectory: URL) {
        self.init(url: dataDirectory.appendingPathComponent("key-encryption.key"))
    }

    public func currentKey() throws -> KeyEncryptionKey {
        if let first = try keys()?.first { return first }
        let key = Self.makeKey()
        try write([key], exclusive: true)
        // Another process may have created the file first: use what is there.
        guard let first = try keys()?.first else {
            throw StoreError(.keyUnavailable, "the key file \(url.lastPathComponent) cannot be read back")
        }
        return first
    }

    public func key(id: String) throws -> KeyEncryptionKey? {
        try keys()?.first { $0.id == id }
    }

    public func beginRotation() throws -> KeyEncryptionKey {
        let existing = try keys() ?? []
        let key = Self.makeKey()
        try write([key] + existing, exclusive: false)
        return key
    }

    public func finishRotation() throws {
        guard let current = try keys()?.first else { return }
        try write([current], exclusive: false)
    }

    /// The keys in the file, current first; nil when there is no file.
    func keys() throws -> [KeyEncryptionKey]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw StoreError(.keyUnavailable, "the key file \(url.lastPathComponent) cannot be read", underlying: error)
        }
        var keys: [KeyEncryptionKey] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.isEmpty {
            guard line.hasPrefix("hgkek1:"), let bytes = Data(base64Encoded: String(line.dropFirst(7))),
                bytes.count == 32
            else {
                throw StoreError(.keyUnavailable, "the key file \(url.lastPathComponent) has a malformed line")
            }
            keys.append(KeyEncryptionKey(id: Self.keyID(bytes), bytes: bytes))
        }
        return keys
    }

    static func makeKey() -> KeyEncryptionKey {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return KeyEncryptionKey(id: keyID(bytes), bytes: bytes)
    }

    /// A public name for a key: a keyed hash of a fixed label, so it tells nothing about the key.
    static func keyID(_ bytes: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Data("healthground key id".utf8),
            using: SymmetricKey(data: bytes)
        )
        return "kek-" + Data(code).prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes the keys to a temporary file with 0600 permissions, then moves it into place (or, when
    /// `exclusive`, links it only if no key file exists yet).
    private func write(_ keys: [KeyEncryptionKey], exclusive: Bool) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        let text = keys.map { "hgkek1:" + $0.bytes.base64EncodedString() + "\n" }.joined()
        do {
            try FileManager.default.createDirectory(
                at: folder,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            try SecretFile.create(at: temporary, contents: Data(text.utf8))
            defer { try? FileManager.default.removeItem(at: temporary) }
            if exclusive {
                // link(2) fails when the key file exists: the first writer wins.
                if link(temporary.path, url.path) != 0 && errno != EEXIST { throw CocoaError(.fileWriteUnknown) }
            } else if rename(temporary.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                .keyUnavailable,
                "the key file \(url.lastPathComponent) cannot be written",
                underlying: error
            )
        }
    }
}
