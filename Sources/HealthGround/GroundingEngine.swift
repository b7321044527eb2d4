import Foundation
import HealthRecords
import RecordStore

/// The entry point of the library: opens one ``HealthSpace`` per person.
///
/// ```swift
/// let engine = GroundingEngine(configuration: EngineConfiguration(dataDirectory: dataURL))
/// let space = try await engine.space("alice")
/// try await space.ingest([recordsURL])
/// let hits = try await space.search("latest hemoglobin A1c", k: 5)
/// ```
public actor GroundingEngine {
    /// The configuration the engine was made with.
    public nonisolated let configuration: EngineConfiguration
    private var open: [String: HealthSpace] = [:]

    /// Creates an engine.
    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
    }

    /// The space with this id, opened (and created on first use).
    /// - Parameter id: 1–64 characters: letters, digits, `.`, `_`, `-`, not starting with `.`.
    /// - Throws: ``StoreError`` for an invalid id or a database that cannot be opened.
    public func space(_ id: String) throws -> HealthSpace {
        if let space = open[id] { return space }
        let url = try Self.databaseURL(for: id, in: configuration.dataDirectory)
        let store = try SpaceStore(url: url, logger: configuration.logger)
        let space = HealthSpace(id: id, store: store, configuration: configuration)
        open[id] = space
        return space
    }

    /// The ids of the spaces in the data directory.
    public func spaceIDs() throws -> [String] {
        let folder = configuration.dataDirectory.appendingPathComponent("spaces", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".sqlite") }.map { String($0.dropLast(7)) }.sorted()
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

    static func databaseURL(for id: String, in directory: URL) throws -> URL {
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
        return directory.appendingPathComponent("spaces", isDirectory: true).appendingPathComponent("\(id).sqlite")
    }
}
