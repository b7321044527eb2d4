import Foundation
import GRDB
import HealthRecords
import Logging
import RecordStore
import TestSupport
import Testing
import TextEmbedding
import VectorSearch

@Suite struct SpaceStoreTests {
    static let embedder = HashingEmbedder(dimension: 32)

    static func record(_ id: String, _ title: String) -> ClinicalRecord {
        ClinicalRecord(
            id: RecordID("Condition/\(id)"),
            kind: .condition,
            title: title,
            provenance: Provenance(sourceFile: "a.json", resourceID: id, resourceType: "Condition")
        )
    }

    static func input(_ path: String, _ records: [ClinicalRecord], fingerprint: String) throws -> SpaceStore.SourceInput
    {
        let chunks = RecordChunker().chunks(for: records)
        let vectors = try embedder.embed(chunks.map(\.text))
        return SpaceStore.SourceInput(
            path: path,
            fingerprint: fingerprint,
            records: records,
            chunks: zip(chunks, vectors).map { ($0, $1) },
            embedder: embedder.identity
        )
    }

    static func openStore() throws -> (SpaceStore, URL) {
        let folder = try SharedData.temporaryDirectory()
        let store = try SpaceStore(url: folder.appendingPathComponent("s.sqlite"), logger: Logger(label: "test"))
        return (store, folder)
    }

    @Test("a changed source replaces exactly the chunks that changed")
    func replacesOnlyChangedChunks() throws {
        let (store, folder) = try Self.openStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try store.replaceSource(
            try Self.input("a.json", [Self.record("1", "Asthma"), Self.record("2", "Gout")], fingerprint: "v1")
        )
        #expect(first.outcome == .added && first.chunksAdded == 2)
        let same = try store.replaceSource(
            try Self.input("a.json", [Self.record("1", "Asthma"), Self.record("2", "Gout")], fingerprint: "v1")
        )
        #expect(same.outcome == .unchanged && same.chunksAdded == 0)
        let changed = try store.replaceSource(
            try Self.input("a.json", [Self.record("1", "Asthma"), Self.record("3", "Eczema")], fingerprint: "v2")
        )
        #expect(changed.outcome == .updated)
        #expect(changed.chunksAdded == 1 && changed.chunksRemoved == 1 && changed.chunksKept == 1)
        #expect(try store.records().map(\.title).sorted() == ["Asthma", "Eczema"])
        #expect(try store.lexicalSearch("gout", limit: 5).isEmpty)
        #expect(try store.lexicalSearch("eczema", limit: 5).count == 1)
        #expect(try store.loadVectors(for: Self.embedder.identity).matrix.count == 2)
    }

    @Test("removing a source removes its records, chunks, vectors and FTS rows, and the bytes are gone")
    func removeSourceLeavesNoTrace() throws {
        let (store, folder) = try Self.openStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        try store.replaceSource(try Self.input("a.json", [Self.record("1", "Zebradisease")], fingerprint: "v1"))
        try store.replaceSource(try Self.input("b.json", [Self.record("2", "Asthma")], fingerprint: "v1"))
        #expect(try store.removeSource(path: "a.json") == 1)
        #expect(try store.removeSource(path: "a.json") == nil)
        #expect(try store.sources().map(\.path) == ["b.json"])
        #expect(try store.lexicalSearch("zebradisease", limit: 5).isEmpty)
        #expect(try store.loadVectors(for: Self.embedder.identity).matrix.count == 1)
        // secure_delete zeroes freed pages, the FTS index is merged, and the WAL is truncated.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        for name in files {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
            // The text as stored, and the lower-cased stem the FTS index would hold.
            for needle in ["Zebradisease", "zebradis"] {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "found in \(name)")
            }
        }
    }

    /// The rows of the vector snapshot table, read straight from the file.
    static func snapshotSegments(_ url: URL) throws -> Int {
        try DatabaseQueue(path: url.path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM vector_snapshot") ?? -1
        }
    }

    static func same(_ a: LoadedVectors, _ b: LoadedVectors) -> Bool {
        a.rowIDs == b.rowIDs && a.facts == b.facts && a.matrix.storage == b.matrix.storage
    }

    @Test("a cold open reads the vector snapshot, which every change to the vectors drops at once")
    func vectorSnapshotFollowsEveryChange() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("s.sqlite")
        let encryption = SpaceEncryption.enabled(FileKeyProvider(dataDirectory: folder))
        func open() throws -> SpaceStore {
            try SpaceStore(url: url, logger: Logger(label: "test"), encryption: encryption)
        }
        let identity = Self.embedder.identity
        var store = try open()
        let many = (0..<2_500).map { Self.record("\($0)", "Condition number \($0)") }
        try store.replaceSource(try Self.input("a.json", many, fingerprint: "v1"))
        #expect(try Self.snapshotSegments(url) == 0)
        let fromRows = try store.loadVectors(for: identity)  // rows one by one; writes the snapshot
        store.waitForVectorSnapshot()
        #expect(try Self.snapshotSegments(url) == 2)  // 2,048 rows per segment
        func snapshotWrites() throws -> Int {
            try store.auditTrail().filter { $0.operation == "write.vector-snapshot" }.count
        }
        let writesBefore = try snapshotWrites()
        store = try open()
        let fromSnapshot = try store.loadVectors(for: identity)
        #expect(fromSnapshot.rowIDs.count == 2_500 && Self.same(fromRows, fromSnapshot))
        // Read from the snapshot, not from the rows: a load from the rows would write it again.
        store.waitForVectorSnapshot()
        #expect(try snapshotWrites() == writesBefore)

        // A new source drops it in the same transaction; the next load sees the new vectors.
        try store.replaceSource(try Self.input("b.json", [Self.record("x", "Zebradisease")], fingerprint: "v1"))
        #expect(try Self.snapshotSegments(url) == 0)
        #expect(try store.loadVectors(for: identity).rowIDs.count == 2_501)
        store.waitForVectorSnapshot()
        #expect(try Self.snapshotSegments(url) == 2)
        #expect(try open().loadVectors(for: identity).rowIDs.count == 2_501)

        // Removing a source drops it too: no deleted vector survives in the snapshot.
        #expect(try store.removeSource(path: "b.json") == 1)
        #expect(try Self.snapshotSegments(url) == 0)
        let afterRemoval = try open().loadVectors(for: identity)
        #expect(Self.same(afterRemoval, fromRows))
    }

    @Test("a snapshot of vectors read before a change is not written after it")
    func staleSnapshotIsNotWritten() throws {
        let (store, folder) = try Self.openStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("s.sqlite")
        let identity = Self.embedder.identity
        try store.replaceSource(try Self.input("a.json", [Self.record("1", "Asthma")], fingerprint: "v1"))
        let generation = try store.vectorGeneration()
        let before = try store.loadVectors(for: identity)
        store.waitForVectorSnapshot()
        #expect(try Self.snapshotSegments(url) == 1)
        // The space changes between the read and the write: the change drops the snapshot, and the
        // late write of the old vectors sees a newer generation and writes nothing.
        try store.replaceSource(try Self.input("b.json", [Self.record("2", "Gout")], fingerprint: "v1"))
        #expect(try store.vectorGeneration() > generation)
        #expect(try Self.snapshotSegments(url) == 0)
        store.saveVectorSnapshot(before, sourceIDs: [1], identity: identity, generation: generation)
        #expect(try Self.snapshotSegments(url) == 0)
        #expect(try store.loadVectors(for: identity).rowIDs.count == 2)
    }

    @Test("a damaged vector snapshot is logged and the rows are read instead")
    func damagedSnapshotFallsBackToRows() throws {
        let (store, folder) = try Self.openStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("s.sqlite")
        try store.replaceSource(try Self.input("a.json", [Self.record("1", "Asthma")], fingerprint: "v1"))
        let expected = try store.loadVectors(for: Self.embedder.identity)
        store.waitForVectorSnapshot()
        #expect(try Self.snapshotSegments(url) == 1)
        try DatabaseQueue(path: url.path).write { db in
            try db.execute(sql: "UPDATE vector_snapshot SET data = substr(data, 1, 20)")
        }
        let reopened = try SpaceStore(url: url, logger: Logger(label: "test"))
        #expect(Self.same(try reopened.loadVectors(for: Self.embedder.identity), expected))
    }

    @Test("a space embedded with one embedder refuses another, saying to reindex")
    func embedderStamp() throws {
        let (store, folder) = try Self.openStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        try store.replaceSource(try Self.input("a.json", [Self.record("1", "Asthma")], fingerprint: "v1"))
        #expect(try store.embedderStamp() == Self.embedder.identity)
        let other = HashingEmbedder(dimension: 64).identity
        let error = try #require(throws: StoreError.self) { try store.loadVectors(for: other) }
        #expect(error.code == .embedderMismatch)
        #expect(error.description.contains("reindex"))
    }

    @Test("a failing write leaves the space as it was")
    func failedWriteIsRolledBack() throws {
        let (store, folder) = try Self.openStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        try store.replaceSource(try Self.input("a.json", [Self.record("1", "Asthma")], fingerprint: "v1"))
        var bad = try Self.input("a.json", [Self.record("2", "Gout")], fingerprint: "v2")
        bad.chunks[0].vector = [1, 2, 3]
        #expect(throws: StoreError.self) { try store.replaceSource(bad) }
        #expect(try store.records().map(\.title) == ["Asthma"])
        #expect(try store.sources().first?.fingerprint == "v1")
        #expect(try store.lexicalSearch("gout", limit: 5).isEmpty)
    }
}
