import Foundation
import HealthRecords
public import RecordStore

/// The entry point of the library: opens one ``HealthSpace`` per person.
///
/// ```swift
/// let engine = GroundingEngine(configuration: EngineConfiguration(dataDirectory: dataURL))
/// let space = try await engine.space("alice")
/// try await space.ingest([recordsURL])
/// let hits = try await space.search("latest hemoglobin A1c", k: 5)
/// ```
///
/// Spaces are encrypted at rest by default (see ``EngineConfiguration/encryption``): each is one
/// database file named by a keyed hash of its id, its content sealed under its own data key.
public actor GroundingEngine {
    /// The configuration the engine was made with.
    public nonisolated let configuration: EngineConfiguration
    private var open: [String: HealthSpace] = [:]
    private var directory: SpaceDirectory?

    /// Creates an engine.
    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
    }

    /// The space with this id, opened (and created on first use).
    /// - Parameter id: 1–64 characters: letters, digits, `.`, `_`, `-`, not starting with `.`.
    /// - Throws: ``StoreError`` for an invalid id, a database that cannot be opened, or
    ///   `.keyUnavailable` when the space's key cannot be unwrapped (nothing is changed then).
    public func space(_ id: String) throws -> HealthSpace {
        if let space = open[id] { return space }
        try Self.validate(id)
        return try openSpace(id, at: try spaceDirectory().databaseURL(forSpace: id))
    }

    private func openSpace(_ id: String?, at url: URL) throws -> HealthSpace {
        let store = try SpaceStore(
            url: url,
            logger: configuration.logger,
            encryption: configuration.spaceEncryption,
            spaceID: id,
            callerLabel: configuration.callerLabel
        )
        guard let storedID = store.spaceID ?? id else {
            throw StoreError(.corrupt, "the space file \(url.lastPathComponent) has no stored id")
        }
        if let space = open[storedID] { return space }
        let space = HealthSpace(id: storedID, store: store, configuration: configuration)
        open[storedID] = space
        return space
    }

    private func spaceDirectory() throws -> SpaceDirectory {
        if let directory { return directory }
        let made = try SpaceDirectory(
            folder: configuration.dataDirectory.appendingPathComponent("spaces", isDirectory: true),
            encryption: configuration.spaceEncryption
        )
        directory = made
        return made
    }

    /// The ids of the spaces in the data directory. With encryption, file names do not tell ids:
    /// each space is opened and its sealed id read.
    /// - Throws: ``StoreError`` `.keyUnavailable` when a space's key cannot be unwrapped.
    public func spaceIDs() throws -> [String] {
        let directory = try spaceDirectory()
        var ids: [String] = []
        for url in directory.databaseURLs() {
            if case .disabled = configuration.encryption {
                ids.append(String(url.lastPathComponent.dropLast(".sqlite".count)))
            } else {
                ids.append(try openSpace(nil, at: url).id)
            }
        }
        return ids.sorted()
    }

    /// Deletes a whole space for good: its data key is destroyed (crypto-shredding), its rows are
    /// deleted with `secure_delete`, its files removed. A ``HealthSpace`` still held for it fails
    /// from then on.
    /// - Returns: a receipt (counts, no content), or nil when there is no such space.
    public func deleteSpace(_ id: String) async throws -> DeletionReceipt? {
        try Self.validate(id)
        let url = try spaceDirectory().databaseURL(forSpace: id)
        guard open[id] != nil || FileManager.default.fileExists(atPath: url.path) else { return nil }
        let handle = try space(id)
        open[id] = nil
        return try await handle.destroy()
    }

    /// What a key rotation did.
    public struct KeyRotation: Sendable, Hashable, Codable {
        /// The id of the key-encryption key that now wraps every data key.
        public var keyID: String
        /// Spaces whose data key was re-wrapped.
        public var spaces: Int
        /// Whether the spaces folder's directory key was re-wrapped.
        public var directoryKey: Bool
    }

    /// Re-wraps every data key (each space's and the folder's directory key) under a new
    /// key-encryption key, without re-encrypting any data. With a ``RotatingKeyProvider`` (the
    /// default key file) a new key is made first and the old ones forgotten at the end; with another
    /// provider, its current key is used (rotate it in the KMS first).
    ///
    /// Every space is opened before anything changes: a space whose key is missing or wrong stops
    /// the rotation with a clear error and nothing is changed.
    /// - Returns: what was re-wrapped.
    public func rotateKeys() async throws -> KeyRotation {
        guard case .enabled(let provider) = configuration.spaceEncryption else {
            throw StoreError(.keyUnavailable, "encryption is disabled: there are no keys to rotate")
        }
        let directory = try spaceDirectory()
        try directory.verifyDirectoryKey()
        // Preflight: every space opens (its data key unwraps) before any key changes.
        let ids = try spaceIDs()
        var spaces: [HealthSpace] = []
        for id in ids { spaces.append(try space(id)) }
        let rotating = provider as? any RotatingKeyProvider
        let newKey = try rotating?.beginRotation() ?? provider.currentKey()
        let directoryRewrapped = try directory.rewrapDirectoryKey()
        var count = 0
        for space in spaces {
            if try await space.rewrapDataKey(with: provider) { count += 1 }
        }
        try rotating?.finishRotation()
        return KeyRotation(keyID: newKey.id, spaces: count, directoryKey: directoryRewrapped)
    }

    /// The space ids a shard owns when `--all` is split across `count` machines: a space belongs to
    /// shard `SHA-256(id) mod count`, so every machine computes the same split from the same ids.
    public static func shard(_ ids: [String], index: Int, count: Int) -> [String] {
        precondition(count > 0 && index >= 0 && index < count, "shard index out of range")
        return ids.filter { id in
            let digest = ContentHash.hex(of: id, length: 16)
            return Int(UInt64(digest, radix: 16)! % UInt64(count)) == index
        }
    }

    static func validate(_ id: String) throws {
        let allowed = id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-".unicodeScalars.contains($0)
        }
        guard !id.isEmpty, id.count <= 64, allowed, !id.hasPrefix(".") else {
            throw StoreError(
                .invalidSpaceID,
                "a space id has 1–64 characters: letters, digits, '.', '_' or '-', not starting with '.'"
            )
        }
    }
}
