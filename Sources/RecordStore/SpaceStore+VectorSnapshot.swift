import Foundation
import GRDB
import HealthRecords
import Logging
package import TextEmbedding
import VectorSearch

/// The vector snapshot: the space's matrix and filter facts in a few large sealed segments, so that a
/// cold open decrypts a handful of blobs instead of two AES-GCM boxes per chunk.
///
/// It is derived data, kept only while it is current: triggers delete it (and count a generation) on
/// any change to the `vector` table or to a chunk, in the same transaction, so that a deleted vector
/// never survives in it; ``SpaceStore/loadVectors(for:)`` writes it again in the background after
/// reading the rows one by one, unless the space changed in between (a generation stamp, checked in
/// the writing transaction).
extension SpaceStore {
    static func registerVectorSnapshotMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-vector-snapshot") { db in
            let invalidate = """
                DELETE FROM vector_snapshot;
                UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'vectorGeneration';
                """
            try db.execute(
                sql: """
                    CREATE TABLE vector_snapshot(
                        segment INTEGER PRIMARY KEY,
                        generation INTEGER NOT NULL,
                        embedder TEXT NOT NULL,
                        data BLOB NOT NULL
                    );
                    INSERT OR REPLACE INTO meta(key, value) VALUES ('vectorGeneration', '0');
                    CREATE TRIGGER vector_snapshot_vector_insert AFTER INSERT ON vector BEGIN \(invalidate) END;
                    CREATE TRIGGER vector_snapshot_vector_delete AFTER DELETE ON vector BEGIN \(invalidate) END;
                    CREATE TRIGGER vector_snapshot_vector_update AFTER UPDATE ON vector BEGIN \(invalidate) END;
                    CREATE TRIGGER vector_snapshot_chunk_update AFTER UPDATE ON chunk BEGIN \(invalidate) END;
                    """
            )
        }
    }

    /// Waits until the vector snapshots being written in the background are written (or skipped).
    package func waitForVectorSnapshot() { snapshotWrites.wait() }

    /// The space's count of changes to vectors and chunks, as a snapshot is stamped with it.
    package func vectorGeneration() throws -> Int64 { try readTransaction { try Self.vectorGeneration($0) } }

    /// Rows per sealed segment (about 3 MB of 384-d vectors): several segments open in parallel.
    static let snapshotSegmentRows = 2_048

    /// The count of changes to vectors and chunks so far (a snapshot stamped with another is stale).
    static func vectorGeneration(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'vectorGeneration'") ?? -1
    }

    /// The vectors from a current snapshot, or nil when there is none (or it was made by another
    /// embedder, or before the last change, or does not open: it is derived data, so a damaged
    /// snapshot is logged and the rows are read instead).
    func loadVectorSnapshot(
        _ db: Database,
        identity: EmbedderIdentity,
        generation: Int64,
        paths: [Int64: String]
    ) throws -> LoadedVectors? {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT segment, generation, embedder, data FROM vector_snapshot ORDER BY segment"
        )
        guard !rows.isEmpty,
            rows.allSatisfy({ ($0["generation"] as Int64) == generation && ($0["embedder"] as String) == identity.id })
        else { return nil }
        let sealed: [(segment: Int64, data: Data)] = rows.map { ($0["segment"], $0["data"]) }
        let cipher = self.cipher
        let dimension = identity.dimension
        let parts = ParallelSlots<SnapshotSegment>(count: sealed.count)
        DispatchQueue.concurrentPerform(iterations: sealed.count) { index in
            parts.store(
                index,
                Result {
                    let plain = try cipher.open(sealed[index].data, "vector_snapshot.\(sealed[index].segment)")
                    return try SnapshotSegment.decode(plain, dimension: dimension)
                }
            )
        }
        let segments: [SnapshotSegment]
        do {
            segments = try parts.values()
        } catch {
            logger.warning(
                "the vector snapshot does not open; reading the rows instead",
                metadata: ["file": "\(url.lastPathComponent)", "error": "\(type(of: error))"]
            )
            return nil
        }
        var loaded = LoadedVectors(dimension: dimension)
        var storage: [Float] = []
        let rowCount = segments.reduce(0) { $0 + $1.rowIDs.count }
        loaded.rowIDs.reserveCapacity(rowCount)
        loaded.facts.reserveCapacity(rowCount)
        storage.reserveCapacity(rowCount * dimension)
        for segment in segments {
            loaded.rowIDs += segment.rowIDs
            loaded.facts += segment.facts.map { fact in
                ChunkFacts(
                    kind: fact.kind,
                    date: fact.date,
                    codes: fact.codes,
                    sourcePath: paths[fact.sourceID] ?? "",
                    status: fact.status
                )
            }
            storage += segment.vectors
        }
        loaded.matrix = VectorMatrix(dimension: dimension, storage: storage)
        return loaded
    }

    /// Writes the snapshot of vectors just read row by row, if the space has not changed since
    /// (`generation`). Best effort: a failure is logged (without content) and the next open reads
    /// the rows again.
    package func saveVectorSnapshot(
        _ loaded: LoadedVectors,
        sourceIDs: [Int64],
        identity: EmbedderIdentity,
        generation: Int64
    ) {
        guard !loaded.rowIDs.isEmpty, sourceIDs.count == loaded.rowIDs.count else { return }
        do {
            let dimension = identity.dimension
            let size = Self.snapshotSegmentRows
            var sealed: [Data] = []
            var start = 0
            while start < loaded.rowIDs.count {
                let end = min(start + size, loaded.rowIDs.count)
                let plain = SnapshotSegment.encode(
                    loaded,
                    sourceIDs: sourceIDs,
                    rows: start..<end,
                    dimension: dimension
                )
                sealed.append(try cipher.seal(plain, "vector_snapshot.\(sealed.count)"))
                start = end
            }
            try writeTransaction { db in
                guard try Self.vectorGeneration(db) == generation else { return }
                try db.execute(sql: "DELETE FROM vector_snapshot")
                for (segment, data) in sealed.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO vector_snapshot(segment, generation, embedder, data) VALUES (?, ?, ?, ?)",
                        arguments: [segment, generation, identity.id, data]
                    )
                }
                try appendAudit("write.vector-snapshot", ["vectors": loaded.rowIDs.count], db)
            }
        } catch {
            logger.warning(
                "the vector snapshot was not written; the next open reads the rows again",
                metadata: ["file": "\(url.lastPathComponent)", "error": "\(type(of: error))"]
            )
        }
    }
}

/// One segment's rows: row ids, facts and vectors, in a little-endian binary layout.
struct SnapshotSegment: Sendable {
    struct Fact: Sendable {
        var sourceID: Int64
        var kind: RecordKind
        var date: Date?
        var status: String?
        var codes: [String]
    }

    var rowIDs: [Int64] = []
    var facts: [Fact] = []
    var vectors: [Float] = []

    static let magic: UInt32 = 0x4847_5653  // "HGVS"

    static func encode(_ loaded: LoadedVectors, sourceIDs: [Int64], rows: Range<Int>, dimension: Int) -> Data {
        var data = Data()
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
        func put(_ text: String) {
            let bytes = Array(text.utf8)
            put(UInt32(bytes.count))
            data.append(contentsOf: bytes)
        }
        put(magic)
        put(UInt32(1))
        put(UInt32(dimension))
        put(UInt32(rows.count))
        for row in rows {
            let fact = loaded.facts[row]
            put(loaded.rowIDs[row])
            put(sourceIDs[row])
            put(fact.kind.rawValue)
            put(fact.date.map { $0.timeIntervalSince1970.bitPattern } ?? Double.nan.bitPattern)
            put(UInt8(fact.status == nil ? 0 : 1))
            put(fact.status ?? "")
            put(UInt32(fact.codes.count))
            for code in fact.codes { put(code) }
        }
        VectorCoding.append(
            loaded.matrix.storage[(rows.lowerBound * dimension)..<(rows.upperBound * dimension)],
            to: &data
        )
        return data
    }

    static func decode(_ data: Data, dimension: Int) throws -> SnapshotSegment {
        try data.withUnsafeBytes { raw in
            var offset = 0
            func corrupt() -> StoreError { StoreError(.corrupt, "the vector snapshot is damaged") }
            func take<T: FixedWidthInteger>(_: T.Type) throws -> T {
                guard offset + MemoryLayout<T>.size <= raw.count else { throw corrupt() }
                defer { offset += MemoryLayout<T>.size }
                return T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            func text() throws -> String {
                let length = Int(try take(UInt32.self))
                guard length <= raw.count - offset else { throw corrupt() }
                defer { offset += length }
                return String(
                    decoding: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]),
                    as: UTF8.self
                )
            }
            guard try take(UInt32.self) == magic, try take(UInt32.self) == 1,
                Int(try take(UInt32.self)) == dimension
            else { throw corrupt() }
            let count = Int(try take(UInt32.self))
            var segment = SnapshotSegment()
            segment.rowIDs.reserveCapacity(count)
            segment.facts.reserveCapacity(count)
            for _ in 0..<count {
                segment.rowIDs.append(try take(Int64.self))
                let sourceID = try take(Int64.self)
                guard let kind = RecordKind(rawValue: try text()) else { throw corrupt() }
                let seconds = Double(bitPattern: try take(UInt64.self))
                let hasStatus = try take(UInt8.self) == 1
                let status = try text()
                let codeCount = Int(try take(UInt32.self))
                guard codeCount <= raw.count - offset else { throw corrupt() }
                var codes: [String] = []
                for _ in 0..<codeCount { codes.append(try text()) }
                segment.facts.append(
                    Fact(
                        sourceID: sourceID,
                        kind: kind,
                        date: seconds.isNaN ? nil : Date(timeIntervalSince1970: seconds),
                        status: hasStatus ? status : nil,
                        codes: codes
                    )
                )
            }
            guard raw.count - offset == count * dimension * 4 else { throw corrupt() }
            segment.vectors = [Float](unsafeUninitializedCapacity: count * dimension) { buffer, initialized in
                if let base = buffer.baseAddress {
                    VectorCoding.copy(UnsafeRawBufferPointer(rebasing: raw[offset...]), into: base)
                }
                initialized = count * dimension
            }
            return segment
        }
    }
}
