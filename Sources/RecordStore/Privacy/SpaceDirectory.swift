import Crypto
public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder of space databases and how files are named in it.
///
/// With encryption, a space's file is named by a keyed hash of its id
/// (`HMAC-SHA256(naming key, id)`, 32 hex digits, `.space`), so no user id appears in a path. The
/// naming key comes from a random directory key (`directory.key`, 0600), wrapped like a data key by
/// the key-encryption key, so that re-wrapping on rotation leaves every file name as it is. The id
/// itself is stored sealed inside each space, which is how ``storedSpaceIDs()`` lists them.
///
/// Without encryption (debugging), files are named `<id>.sqlite`, as plainly as their content.
public struct SpaceDirectory: Sendable {
    /// The folder.
    public let folder: URL
    private let encryption: SpaceEncryption
    private let naming: SymmetricKey?

    /// Opens the folder; with encryption, reads (or creates on first use) the directory key.
    /// - Throws: ``StoreError`` `.keyUnavailable` when the directory key cannot be unwrapped.
    public init(folder: URL, encryption: SpaceEncryption) throws {
        self.folder = folder
        self.encryption = encryption
        switch encryption {
        case .disabled:
            naming = nil
        case .enabled(let provider):
            let directoryKey = try Self.directoryKey(in: folder, provider: provider)
            naming = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: directoryKey,
                salt: Data("healthground directory v1".utf8),
                info: Data("file naming".utf8),
                outputByteCount: 32
            )
        }
    }

    /// The database file of a space (it may not exist yet).
    public func databaseURL(forSpace id: String) -> URL {
        guard let naming else { return folder.appendingPathComponent("\(id).sqlite") }
        let code = HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: naming)
        let name = Data(code).prefix(16).map { String(format: "%02x", $0) }.joined()
        return folder.appendingPathComponent("\(name).space")
    }

    /// The space database files in the folder (of this directory's encryption setting), sorted.
    public func databaseURLs() -> [URL] {
        let suffix = naming == nil ? ".sqlite" : ".space"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The directory key file.
    static func keyFile(in folder: URL) -> URL { folder.appendingPathComponent("directory.key") }

    private static func directoryKey(in folder: URL, provider: any KeyProvider) throws -> SymmetricKey {
        let file = keyFile(in: folder)
        if let stored = try readKeyFile(file) {
            return try DataKeyWrap.unwrap(
                stored.wrapped,
                kekID: stored.kekID,
                provider: provider,
                what: "the spaces folder"
            )
        }
        let key = SymmetricKey(size: .bits256)
        let kek = try provider.currentKey()
        try writeKeyFile(file, kekID: kek.id, wrapped: try DataKeyWrap.wrap(key, under: kek), replacing: false)
        // Another process may have created it first: use the file's key.
        guard let stored = try readKeyFile(file) else {
            throw StoreError(.keyUnavailable, "the directory key cannot be read back")
        }
        return try DataKeyWrap.unwrap(
            stored.wrapped,
            kekID: stored.kekID,
            provider: provider,
            what: "the spaces folder"
        )
    }

    /// Re-wraps the directory key under the provider's current key-encryption key (file names do
    /// not change).
    /// - Returns: whether it was re-wrapped.
    @discardableResult
    public func rewrapDirectoryKey() throws -> Bool {
        guard case .enabled(let provider) = encryption else { return false }
        let file = Self.keyFile(in: folder)
        guard let stored = try Self.readKeyFile(file) else { return false }
        let current = try provider.currentKey()
        guard current.id != stored.kekID else { return false }
        let key = try DataKeyWrap.unwrap(
            stored.wrapped,
            kekID: stored.kekID,
            provider: provider,
            what: "the spaces folder"
        )
        try Self.writeKeyFile(
            file,
            kekID: current.id,
            wrapped: try DataKeyWrap.wrap(key, under: current),
            replacing: true
        )
        return true
    }

    /// Checks that the directory key unwraps with the provider (no change).
    public func verifyDirectoryKey() throws {
        guard case .enabled(let provider) = encryption, let stored = try Self.readKeyFile(Self.keyFile(in: folder))
        else { return }
        _ = try DataKeyWrap.unwrap(stored.wrapped, kekID: stored.kekID, provider: provider, what: "the spaces folder")
    }

    private static func readKeyFile(_ file: URL) throws -> (kekID: String, wrapped: Data)? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw StoreError(.keyUnavailable, "the directory key file cannot be read", underlying: error)
        }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
        guard parts.count == 3, parts[0] == "hgdir1", let wrapped = Data(base64Encoded: String(parts[2])) else {
            throw StoreError(.keyUnavailable, "the directory key file is malformed")
        }
        return (String(parts[1]), wrapped)
    }

    private static func writeKeyFile(_ file: URL, kekID: String, wrapped: Data, replacing: Bool) throws {
        let folder = file.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".directory.key.\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(
                at: folder,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            try SecretFile.create(
                at: temporary,
                contents: Data("hgdir1:\(kekID):\(wrapped.base64EncodedString())\n".utf8)
            )
            defer { try? FileManager.default.removeItem(at: temporary) }
            if replacing {
                guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            } else if link(temporary.path, file.path) != 0 && errno != EEXIST {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw StoreError(.keyUnavailable, "the directory key file cannot be written", underlying: error)
        }
    }
}
