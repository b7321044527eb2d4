import Foundation
import HealthRecords
import Logging
import RecordStore
import Synchronization
import TestSupport
import Testing
import TextEmbedding
import VectorSearch

/// An embedder that fails after a number of calls: a stand-in for a run killed part-way.
final class FailingEmbedder: Embedder {
    struct Stopped: Error {}
    let base: HashingEmbedder
    let calls = Mutex<Int>(0)
    let failAfter: Int

    init(base: HashingEmbedder, failAfter: Int) {
        self.base = base
        self.failAfter = failAfter
    }

    var identity: EmbedderIdentity { base.identity }

    func embed(_ texts: [String]) throws -> [[Float]] {
        let call = calls.withLock { count in
            count += 1
            return count
        }
        if call > failAfter { throw Stopped() }
        return try base.embed(texts)
    }
}

@Suite struct ReindexTests {
    static let old = HashingEmbedder(dimension: 32)
    static let new = HashingEmbedder(dimension: 48)

    static func filledStore(chunks: Int) throws -> (SpaceStore, URL) {
        let (store, folder) = try SpaceStoreTests.openStore()
        let records = (0..<chunks).map { SpaceStoreTests.record("\($0)", "Condition number \($0)") }
        let chunked = RecordChunker().chunks(for: records)
        let vectors = try old.embed(chunked.map(\.text))
        try store.replaceSource(
            SpaceStore.SourceInput(
                path: "a.json",
                fingerprint: "v1",
                records: records,
                chunks: zip(chunked, vectors).map { ($0, $1) },
                embedder: old.identity
            )
        )
        return (store, folder)
    }

    @Test("reindex swaps every vector and the stamp; readers see the old vectors until the swap")
    func swapsAtomically() throws {
        let (store, folder) = try Self.filledStore(chunks: 50)
        defer { try? FileManager.default.removeItem(at: folder) }
        var oldCountsDuringRun: [Int] = []
        // A reader during the run still gets the old embedder's complete matrix.
        let readOldVectors: (Int, Int) -> Void = { _, _ in
            oldCountsDuringRun.append((try? store.loadVectors(for: Self.old.identity).matrix.count) ?? -1)
        }
        let result = try store.reindex(
            to: Self.new.identity,
            batchSize: 10,
            embed: { try Self.new.embed($0) },
            progress: readOldVectors
        )
        #expect(result.embedded == 50 && result.resumed == 0)
        #expect(oldCountsDuringRun == [50, 50, 50, 50, 50])
        #expect(try store.embedderStamp() == Self.new.identity)
        let loaded = try store.loadVectors(for: Self.new.identity)
        #expect(loaded.matrix.count == 50 && loaded.matrix.dimension == 48)
        #expect(throws: StoreError.self) { try store.loadVectors(for: Self.old.identity) }
        let again = try store.reindex(to: Self.new.identity, embed: { try Self.new.embed($0) })
        #expect(again.alreadyCurrent)
    }

    @Test("a run that stops part-way resumes where it stopped, and the space keeps working meanwhile")
    func resumesAfterInterruption() throws {
        let (store, folder) = try Self.filledStore(chunks: 45)
        defer { try? FileManager.default.removeItem(at: folder) }
        let failing = FailingEmbedder(base: Self.new, failAfter: 2)
        #expect(throws: FailingEmbedder.Stopped.self) {
            try store.reindex(to: Self.new.identity, batchSize: 10, embed: { try failing.embed($0) })
        }
        // Nothing swapped: the space still answers with the old embedder.
        #expect(try store.embedderStamp() == Self.old.identity)
        #expect(try store.loadVectors(for: Self.old.identity).matrix.count == 45)
        let counting = FailingEmbedder(base: Self.new, failAfter: .max)
        let result = try store.reindex(to: Self.new.identity, batchSize: 10, embed: { try counting.embed($0) })
        #expect(result.resumed == 20)
        #expect(result.embedded == 25)
        #expect(counting.calls.withLock { $0 } == 3)
        let loaded = try store.loadVectors(for: Self.new.identity)
        let expected = try Self.new.embed(try store.records().map { RecordChunker().chunks(for: [$0])[0].text })
        #expect(loaded.matrix.count == 45)
        // Every stored vector is the new embedder's vector of its chunk.
        let rows = Set((0..<loaded.matrix.count).map { Array(loaded.matrix.row($0)) })
        #expect(rows == Set(expected))
    }
}
