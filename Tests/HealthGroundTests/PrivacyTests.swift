import Foundation
import GroundingEval
import HealthGround
import HealthRecords
import Logging
import RecordStore
import Synchronization
import TestSupport
import Testing

/// Privacy by construction, on real FHIR parsed by the real pipeline: nothing readable at rest,
/// spaces isolated, deletion for good, key rotation, no health data in logs or errors, an audit trail.
@Suite struct PrivacyTests {
    // MARK: - Fixtures

    /// Strings that appear in the records below and must never appear on disk, in logs or errors.
    static let needles = [
        "Zephyrine", "Quillfeather", "quillfeath", "zephyrin", "lighthouse", "lighthous", "9.87 mmol/mol", "9.87",
        "vertigo after climbing the lighthouse stairs",
    ]
    /// Strings of the second source, deleted in the tests.
    static let deletedNeedles = ["Marmalade", "marmalad", "quince", "Brambleworth", "brambleworth", "41.3"]

    /// A FHIR bundle: a patient, a lab result with its unit and a note, a condition.
    static func bundle(given: String, family: String, value: String, unit: String, note: String, id: String) -> String {
        """
        {"resourceType": "Bundle", "type": "collection", "entry": [
          {"resource": {"resourceType": "Patient", "id": "\(id)", "name": [{"family": "\(family)", "given": ["\(given)"]}],
            "gender": "female", "birthDate": "1971-05-02"}},
          {"resource": {"resourceType": "Observation", "id": "\(id)-obs", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c"}]},
            "subject": {"reference": "Patient/\(id)"}, "effectiveDateTime": "2024-03-05",
            "valueQuantity": {"value": \(value), "unit": "\(unit)"}, "note": [{"text": "\(note)"}]}},
          {"resource": {"resourceType": "Condition", "id": "\(id)-cond",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "399153001", "display": "Vertigo"}]},
            "subject": {"reference": "Patient/\(id)"}, "onsetDateTime": "2024-02-01"}}
        ]}
        """
    }

    /// Writes the two sources (named after the patients, as exports often are) into a folder.
    static func writeSources(in folder: URL) throws -> (kept: URL, deleted: URL) {
        let kept = folder.appendingPathComponent("zephyrine-quillfeather.json")
        try bundle(
            given: "Zephyrine",
            family: "Quillfeather",
            value: "9.87",
            unit: "mmol/mol",
            note: "Patient reports vertigo after climbing the lighthouse stairs.",
            id: "p1"
        ).write(to: kept, atomically: true, encoding: .utf8)
        let deleted = folder.appendingPathComponent("brambleworth-marmalade.json")
        try bundle(
            given: "Marmalade",
            family: "Brambleworth",
            value: "41.3",
            unit: "mmol/mol",
            note: "Allergic reaction to quince jelly noted.",
            id: "p2"
        ).write(to: deleted, atomically: true, encoding: .utf8)
        return (kept, deleted)
    }

    /// Every file under a folder (recursively), with its bytes.
    static func files(under folder: URL) throws -> [(String, Data)] {
        var result: [(String, Data)] = []
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            result.append((url.path.replacingOccurrences(of: folder.path, with: ""), try Data(contentsOf: url)))
        }
        return result
    }

    /// The needles found in any file's name or bytes (each as typed and lower-cased).
    static func found(_ needles: [String], under folder: URL) throws -> [String] {
        var hits: [String] = []
        for (name, bytes) in try files(under: folder) {
            for needle in needles {
                for form in Set([needle, needle.lowercased()]) {
                    if name.contains(form) || bytes.range(of: Data(form.utf8)) != nil {
                        hits.append("\(form) in \(name)")
                    }
                }
            }
        }
        return hits
    }

    static func engine(_ folder: URL, logger: Logger? = nil, caller: String = "privacy-tests") -> GroundingEngine {
        var configuration = EngineConfiguration(dataDirectory: folder.appendingPathComponent("data"))
        if let logger { configuration.logger = logger }
        configuration.callerLabel = caller
        return GroundingEngine(configuration: configuration)
    }

    // MARK: - Encryption at rest

    @Test("no name, value, note, stem or path of the records is found in any file of the data directory")
    func filesHoldNoHealthData() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, deleted) = try Self.writeSources(in: folder)
        let engine = Self.engine(folder)
        let space = try await engine.space("zq-person-17")
        let report = try await space.ingest([kept, deleted])
        #expect(report.failures.isEmpty)
        // The content is searchable: lexically (hashed terms) and densely.
        let lexical = try await space.search("lighthouse vertigo", k: 3, mode: .lexical)
        #expect(lexical.contains { $0.chunk.text.contains("lighthouse") })
        let filtered = try await space.search(
            "hemoglobin",
            k: 5,
            filter: SearchFilter(codes: ["4548-4"]),
            mode: .lexical
        )
        #expect(filtered.count >= 2 && filtered.allSatisfy { $0.chunk.codes.contains { $0.code == "4548-4" } })
        #expect(try await space.records().contains { $0.title.contains("Quillfeather") })
        // Nothing readable on disk: database, WAL, shared memory, keys.
        let data = folder.appendingPathComponent("data")
        #expect(try Self.found(Self.needles + Self.deletedNeedles + ["zq-person-17"], under: data) == [])
        // The scan would see them in a plaintext space (it is not vacuous).
        var plain = EngineConfiguration(dataDirectory: folder.appendingPathComponent("plain"))
        plain.encryption = .disabled
        _ = try await GroundingEngine(configuration: plain).space("zq-person-17").ingest([kept])
        #expect(
            try Self.found(["Quillfeather", "lighthous"], under: folder.appendingPathComponent("plain")).count >= 2
        )
    }

    @Test("deleting a source leaves no trace of it in the files, nor in the decrypted content")
    func deletedSourceLeavesNoTrace() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, deleted) = try Self.writeSources(in: folder)
        let engine = Self.engine(folder)
        let space = try await engine.space("alice")
        _ = try await space.ingest([kept, deleted])
        #expect(try await space.search("quince", k: 3, mode: .lexical).count == 1)
        let receipt = try #require(try await space.deleteSource(deleted))
        #expect(receipt.scope == .source && receipt.records >= 3 && receipt.chunks >= 3)
        #expect(receipt.vectors == receipt.chunks)
        #expect(try await space.search("quince", k: 3, mode: .lexical).isEmpty)
        #expect(try await space.sources().map(\.path).filter { $0.contains("brambleworth") }.isEmpty)
        let data = folder.appendingPathComponent("data")
        #expect(try Self.found(Self.deletedNeedles, under: data) == [])
        // With the key: everything the space still holds, decrypted, mentions the kept source only.
        let dump = try await space.decryptedContent()
        #expect(dump.range(of: Data("Quillfeather".utf8)) != nil)
        for needle in Self.deletedNeedles { #expect(dump.range(of: Data(needle.utf8)) == nil, "\(needle)") }
    }

    // MARK: - Isolation

    @Test("many spaces and random queries: a search never returns another space's chunk")
    func spacesAreIsolated() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let engine = Self.engine(folder)
        let vocabulary = [
            "asthma", "inhaler", "glucose", "insulin", "statin", "cholesterol", "migraine", "ibuprofen", "fracture",
            "cast", "rash", "eczema", "anemia", "iron", "thyroid", "levothyroxine", "gout", "allopurinol",
        ]
        var generator = SplitMix64(seed: 0x5EED)
        let spaceCount = 12
        for index in 0..<spaceCount {
            let documents = (0..<6).map { number in
                let words = (0..<8).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] }
                return TextDocument(id: "s\(index)-d\(number)", title: words[0], text: words.joined(separator: " "))
            }
            try await engine.space("person-\(index)").ingest(documents: documents, source: "notes")
        }
        #expect(try await engine.spaceIDs() == (0..<spaceCount).map { "person-\($0)" }.sorted())
        var hitCount = 0
        for _ in 0..<120 {
            let index = Int(generator.next() % UInt64(spaceCount))
            let query = (0..<3).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] }
                .joined(separator: " ")
            let modes: [SearchMode] = [.dense, .lexical, .hybrid]
            let mode = modes[Int(generator.next() % 3)]
            let hits = try await engine.space("person-\(index)").search(query, k: 10, mode: mode)
            hitCount += hits.count
            for hit in hits {
                #expect(hit.chunk.recordID.rawValue.hasPrefix("s\(index)-"), "query \(query) in person-\(index)")
            }
        }
        #expect(hitCount > 500)
        // Files are the owner's only, and their names tell nothing about the ids.
        for (name, _) in try Self.files(under: folder.appendingPathComponent("data")) {
            let path = folder.appendingPathComponent("data").path + name
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(name)")
        }
        let names = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("data/spaces").path
        )
        #expect(!names.contains { $0.contains("person") })
    }

    // MARK: - Deletion

    @Test("deleting a space destroys its key and files, returns a receipt, and old handles fail")
    func deleteSpace() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, _) = try Self.writeSources(in: folder)
        let engine = Self.engine(folder)
        let space = try await engine.space("bob")
        _ = try await space.ingest([kept])
        _ = try await engine.space("carol").ingest(
            documents: [TextDocument(id: "c1", title: "x", text: "y")],
            source: "s"
        )
        let spaces = folder.appendingPathComponent("data/spaces")
        let before = try FileManager.default.contentsOfDirectory(atPath: spaces.path).filter { $0.hasSuffix(".space") }
        #expect(before.count == 2)
        let receipt = try #require(try await engine.deleteSpace("bob"))
        #expect(receipt.scope == .space && receipt.spaceID == "bob")
        #expect(receipt.records >= 3 && receipt.chunks >= 3 && receipt.auditEntries > 0)
        #expect(receipt.vectors == receipt.chunks)
        let after = try FileManager.default.contentsOfDirectory(atPath: spaces.path)
        #expect(after.filter { $0.hasSuffix(".space") }.count == 1)
        let removed = try #require(Set(before).subtracting(after).first)
        #expect(!after.contains { $0.hasPrefix(removed) })  // nor its -wal, -shm
        #expect(try await engine.spaceIDs() == ["carol"])
        await #expect(throws: StoreError.self) { try await space.search("vertigo", k: 1) }
        #expect(try await engine.deleteSpace("bob") == nil)
        #expect(try Self.found(Self.needles, under: folder.appendingPathComponent("data")) == [])
        // The id can be used again: a new, empty space.
        #expect(try await engine.space("bob").sources().isEmpty)
    }

    // MARK: - Keys

    @Test("a space whose key-encryption key is missing or wrong fails clearly and is not changed")
    func missingOrWrongKey() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, _) = try Self.writeSources(in: folder)
        _ = try await Self.engine(folder).space("dora").ingest([kept])
        let data = folder.appendingPathComponent("data")
        let keyFile = data.appendingPathComponent("key-encryption.key")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let original = try Data(contentsOf: keyFile)
        let snapshot = Dictionary(uniqueKeysWithValues: try Self.files(under: data.appendingPathComponent("spaces")))

        try FileManager.default.removeItem(at: keyFile)
        let missing = try await #require(throws: StoreError.self) { try await Self.engine(folder).space("dora") }
        #expect(missing.code == .keyUnavailable && missing.description.contains("key-encryption key"))
        #expect(!FileManager.default.fileExists(atPath: keyFile.path))

        _ = try FileKeyProvider(url: keyFile).currentKey()  // another, wrong key
        let wrong = try await #require(throws: StoreError.self) { try await Self.engine(folder).space("dora") }
        #expect(wrong.code == .keyUnavailable)
        await #expect(throws: StoreError.self) { try await Self.engine(folder).rotateKeys() }

        // The database and key files are byte for byte the same; a write-ahead log, if any, is empty or the same.
        let unchanged = Dictionary(uniqueKeysWithValues: try Self.files(under: data.appendingPathComponent("spaces")))
        for (name, bytes) in snapshot where !name.hasSuffix("-shm") && !name.hasSuffix("-wal") {
            #expect(unchanged[name] == bytes, "\(name) changed")
        }
        for (name, bytes) in unchanged where name.hasSuffix("-wal") {
            #expect(bytes.isEmpty || snapshot[name] == bytes, "\(name) changed")
        }
        try original.write(to: keyFile)
        #expect(try await Self.engine(folder).space("dora").search("lighthouse", k: 1, mode: .lexical).count == 1)
    }

    @Test("rotate-keys re-wraps every data key under a new key without re-encrypting data; the old key stops working")
    func rotation() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, _) = try Self.writeSources(in: folder)
        for id in ["erin", "fay"] { _ = try await Self.engine(folder).space(id).ingest([kept]) }
        let data = folder.appendingPathComponent("data")
        let keyFile = data.appendingPathComponent("key-encryption.key")
        let oldKey = try Data(contentsOf: keyFile)
        let before = try await Self.engine(folder).space("erin").sealedContentDigest()
        let rotation = try await Self.engine(folder).rotateKeys()
        #expect(rotation.spaces == 2 && rotation.directoryKey)
        let newKey = try String(contentsOf: keyFile, encoding: .utf8)
        #expect(newKey.split(separator: "\n").count == 1 && Data(newKey.utf8) != oldKey)
        let engine = Self.engine(folder)
        #expect(try await engine.space("erin").sealedContentDigest() == before)
        #expect(try await engine.space("fay").search("lighthouse", k: 1, mode: .lexical).count == 1)
        #expect(try await engine.spaceIDs() == ["erin", "fay"])
        try oldKey.write(to: keyFile)
        await #expect(throws: StoreError.self) { try await Self.engine(folder).space("erin") }
    }

    // MARK: - Logs, errors, audit

    @Test("ingest, search, context, eval and failures log and report no name, value or note text")
    func logsAndErrorsHoldNoHealthData() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, _) = try Self.writeSources(in: folder)
        // A broken file whose content is health data: its error must say where, not what.
        let broken = folder.appendingPathComponent("broken.json")
        try #"{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "name": "Quillfeather 9.87"#
            .write(to: broken, atomically: true, encoding: .utf8)
        let capture = CapturingLogHandler()
        var logger = Logger(label: "privacy-test", factory: { _ in capture })
        logger.logLevel = .trace
        let engine = Self.engine(folder, logger: logger)
        let space = try await engine.space("gail")
        let report = try await space.ingest([kept, broken])
        #expect(report.failures.count == 1)
        var texts = report.failures.map(\.reason)
        _ = try await space.search("Quillfeather lighthouse vertigo 9.87", k: 5)
        let context = try await space.context(for: "what did the note say about the lighthouse stairs?")
        #expect(!context.evidence.isEmpty)
        // An evaluation run over a question set that names the patient and the note.
        let evalFolder = folder.appendingPathComponent("eval")
        try FileManager.default.createDirectory(
            at: evalFolder.appendingPathComponent("qrels"),
            withIntermediateDirectories: true
        )
        try #"{"_id": "q1", "text": "Did Quillfeather have vertigo after the lighthouse stairs?", "type": "other"}"#
            .write(to: evalFolder.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        try "query-id\tcorpus-id\tscore\nq1\tObservation/p1-obs\t1\n"
            .write(to: evalFolder.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        let summary = try await ContextEvaluation(folder: evalFolder).run(on: space)
        #expect(summary.questions == 1)
        _ = try await space.deleteSource(kept)
        // Errors of other kinds: an invalid id, a wrong key.
        do { _ = try await engine.space("Quillfeather/9.87") } catch { texts.append(String(describing: error)) }
        #expect(!capture.lines.isEmpty)
        texts += capture.lines
        for text in texts {
            for needle in Self.needles {
                #expect(!text.contains(needle), "\(needle) in: \(text)")
            }
        }
    }

    @Test("every read and write is in the space's audit trail, with counts and the caller label")
    func auditTrail() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, deleted) = try Self.writeSources(in: folder)
        let space = try await Self.engine(folder, caller: "care-app").space("hana")
        _ = try await space.ingest([kept, deleted])
        _ = try await space.search("lighthouse", k: 2)
        _ = try await space.deleteSource(deleted)
        let trail = try await space.auditTrail()
        let operations = trail.map(\.operation)
        #expect(operations.filter { $0 == "write.source" }.count >= 3)  // two files and the derived chunks
        for operation in ["read.vectors", "search.lexical", "read.chunks", "read.records", "delete.source"] {
            #expect(operations.contains(operation), "\(operation)")
        }
        #expect(trail.allSatisfy { $0.caller == "care-app" })
        let deletion = try #require(trail.first { $0.operation == "delete.source" })
        #expect(deletion.counts["records"] == 3)
        #expect(zip(trail, trail.dropFirst()).allSatisfy { $0.at <= $1.at })
        #expect(try await space.auditTrail(limit: 2).count == 2)
    }

    @Test("a question answered is one audit entry that counts the reads it made")
    func contextIsOneAuditEntry() async throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (kept, _) = try Self.writeSources(in: folder)
        let space = try await Self.engine(folder, caller: "care-app").space("hana")
        _ = try await space.ingest([kept])
        let before = try await space.auditTrail().count
        let context = try await space.context(for: "what did the lighthouse note say about my potassium?")
        let added = try await space.auditTrail().dropFirst(before)
        // Its reads are one entry; a write it causes (the vector snapshot of a first open) is its own.
        #expect(added.map(\.operation).filter { !$0.hasPrefix("write.") } == ["read.context"])
        let entry = try #require(added.first { $0.operation == "read.context" })
        #expect(entry.caller == "care-app")
        #expect(entry.counts["read.chunks"] ?? 0 >= 1)
        #expect(entry.counts["search.lexical"] ?? 0 >= 1)
        #expect(entry.counts["chunks"] ?? 0 >= context.evidence.count)
        // Outside a question, each read is still its own entry.
        _ = try await space.search("lighthouse", k: 2)
        let afterSearch = try await space.auditTrail().dropFirst(before + 1).map(\.operation)
        #expect(afterSearch.contains("search.lexical") && afterSearch.contains("read.chunks"))
    }
}

/// A log handler that keeps every line (message and metadata) for inspection.
final class CapturingLogHandler: LogHandler, Sendable {
    private let storage = Mutex<[String]>([])
    private let state = Mutex<(Logger.Metadata, Logger.Level)>(([:], .trace))

    var lines: [String] { storage.withLock { $0 } }

    var metadata: Logger.Metadata {
        get { state.withLock { $0.0 } }
        set { state.withLock { $0.0 = newValue } }
    }

    var logLevel: Logger.Level {
        get { state.withLock { $0.1 } }
        set { state.withLock { $0.1 = newValue } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { state.withLock { $0.0[key] } }
        set { state.withLock { $0.0[key] = newValue } }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { String(describing: $0) } ?? ""
        storage.withLock { $0.append("\(event.level) \(event.message) \(merged) \(event.source) \(error)") }
    }
}
