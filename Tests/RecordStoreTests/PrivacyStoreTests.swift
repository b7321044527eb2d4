import Foundation
import GRDB
import HealthRecords
import Logging
import RecordStore
import TestSupport
import Testing
import TextEmbedding
import VectorSearch

/// A key provider over keys held in memory: what a backend's KMS adapter looks like.
struct MemoryKeyProvider: KeyProvider {
    var current: KeyEncryptionKey
    var others: [KeyEncryptionKey] = []

    static func randomKey(_ id: String) -> KeyEncryptionKey {
        KeyEncryptionKey(id: id, bytes: Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
    }

    func currentKey() throws -> KeyEncryptionKey { current }

    func key(id: String) throws -> KeyEncryptionKey? {
        ([current] + others).first { $0.id == id }
    }
}

@Suite struct StemmerTests {
    @Test(
        "Porter's own examples",
        arguments: [
            ("caresses", "caress"), ("ponies", "poni"), ("ties", "ti"), ("caress", "caress"), ("cats", "cat"),
            ("feed", "feed"), ("agreed", "agre"), ("plastered", "plaster"), ("bled", "bled"), ("motoring", "motor"),
            ("sing", "sing"), ("conflated", "conflat"), ("troubled", "troubl"), ("sized", "size"), ("hopping", "hop"),
            ("tanned", "tan"), ("falling", "fall"), ("hissing", "hiss"), ("fizzed", "fizz"), ("failing", "fail"),
            ("filing", "file"), ("happy", "happi"), ("sky", "sky"), ("relational", "relat"),
            ("conditional", "condit"), ("rational", "ration"), ("valenci", "valenc"), ("digitizer", "digit"),
            ("vietnamization", "vietnam"), ("predication", "predic"), ("operator", "oper"), ("feudalism", "feudal"),
            ("decisiveness", "decis"), ("hopefulness", "hope"), ("callousness", "callous"), ("formality", "formal"),
            ("sensitivity", "sensit"), ("sensibility", "sensibl"), ("triplicate", "triplic"), ("formative", "form"),
            ("formalize", "formal"), ("electricity", "electr"), ("electrical", "electr"), ("hopeful", "hope"),
            ("goodness", "good"), ("revival", "reviv"), ("allowance", "allow"), ("inference", "infer"),
            ("airliner", "airlin"), ("adjustable", "adjust"), ("defensible", "defens"), ("irritant", "irrit"),
            ("replacement", "replac"), ("adjustment", "adjust"), ("dependent", "depend"), ("adoption", "adopt"),
            ("homologou", "homolog"), ("communism", "commun"), ("activate", "activ"), ("angulariti", "angular"),
            ("homologous", "homolog"), ("effective", "effect"), ("bowdlerize", "bowdler"), ("probate", "probat"),
            ("rate", "rate"), ("cease", "ceas"), ("controll", "control"), ("roll", "roll"),
        ]
    )
    func porterExamples(word: String, stem: String) {
        #expect(PorterStemmer.stem(word) == stem)
    }

    @Test("terms are folded and stemmed as SQLite's porter unicode61 tokenizer makes them, on real text")
    func matchesSQLitePorter() throws {
        var texts: [String] = []
        let sample = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")
        let records = try FHIRParser().parse(contentsOf: sample).records
        texts += RecordChunker().chunks(for: records).flatMap { [$0.title, $0.text] }
        let queries = SharedData.root.appendingPathComponent("eval/scifact/queries.jsonl")
        if let lines = try? String(contentsOf: queries, encoding: .utf8) {
            texts += lines.split(separator: "\n").prefix(400).map(String.init)
        }
        texts.append("Ménière’s naïve café Ästhetik façade coöperate résumé")
        let words = Set(
            texts.flatMap { LexicalTokenizer.fold($0).split(whereSeparator: { !($0.isLetter || $0.isNumber) }) }
        )
        #expect(words.count > 300)
        let db = try DatabaseQueue()
        let reference = try db.write { db -> Set<String> in
            try db.execute(sql: "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
            try db.execute(sql: "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
            for text in texts { try db.execute(sql: "INSERT INTO t(x) VALUES (?)", arguments: [text]) }
            return Set(try String.fetchAll(db, sql: "SELECT term FROM v"))
        }
        let mine = Set(texts.flatMap(LexicalTokenizer.terms(of:)))
        #expect(mine.subtracting(reference).sorted() == [])
        #expect(reference.subtracting(mine).sorted() == [])
    }
}

@Suite struct EncryptedStoreTests {
    static let embedder = HashingEmbedder(dimension: 32)

    static func input(_ path: String, _ records: [ClinicalRecord]) throws -> SpaceStore.SourceInput {
        let chunks = RecordChunker().chunks(for: records)
        let vectors = try embedder.embed(chunks.map(\.text))
        return SpaceStore.SourceInput(
            path: path,
            fingerprint: ContentHash.hex(of: path),
            records: records,
            chunks: zip(chunks, vectors).map { ($0, $1) },
            embedder: embedder.identity
        )
    }

    static let sample = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")

    @Test("lexical search with filters, and the presence lookup, give the same encrypted as in clear")
    func encryptedLexicalSearchMatchesPlaintext() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let records = try FHIRParser().parse(contentsOf: Self.sample).records
        let half = records.count / 2
        let provider = MemoryKeyProvider(current: MemoryKeyProvider.randomKey("k1"))
        let stores = try [SpaceEncryption.disabled, .enabled(provider)].enumerated().map { index, encryption in
            let store = try SpaceStore(
                url: folder.appendingPathComponent("s\(index).sqlite"),
                logger: Logger(label: "test"),
                encryption: encryption
            )
            try store.replaceSource(try Self.input("a.json", Array(records[..<half])))
            try store.replaceSource(try Self.input("b.json", Array(records[half...])))
            return store
        }
        #expect(!stores[0].isEncrypted && stores[1].isEncrypted)
        let filters = [
            SearchFilter(), SearchFilter(kinds: [.observation]), SearchFilter(codes: ["4548-4"]),
            SearchFilter(codes: ["LOINC|4548-4", "59621000"]), SearchFilter(sources: ["b.json"]),
            SearchFilter(from: FHIRDate.parse("2022-01-01"), to: FHIRDate.parse("2024-12-31")),
            SearchFilter(statuses: ["active"]),
        ]
        var nonEmpty = 0
        for query in ["hemoglobin a1c", "blood pressure", "penicillin allergy", "metformin tablets", "diabetes"] {
            for filter in filters {
                let plain = try stores[0].lexicalSearch(query, filter: filter, limit: 5)
                let sealed = try stores[1].lexicalSearch(query, filter: filter, limit: 5)
                #expect(plain.map(\.rowID) == sealed.map(\.rowID), "\(query) \(filter)")
                #expect(zip(plain, sealed).allSatisfy { abs($0.score - $1.score) < 1e-9 })
                if !plain.isEmpty { nonEmpty += 1 }
            }
        }
        #expect(nonEmpty > 15)
        // The unranked presence lookup agrees with the ranked search, in clear and sealed.
        var present = 0
        for word in ["hemoglobin", "penicillin", "metformin tablets", "zebradisease", "gout", "eczema", "the"] {
            for store in stores {
                let found = try store.containsLexicalMatch(word)
                #expect(found == !(try store.lexicalSearch(word, limit: 1).isEmpty), "\(word)")
                if found { present += 1 }
            }
        }
        #expect(present >= 6 && present <= 10)
        // Dense facts come back decrypted and equal.
        let plainFacts = try stores[0].loadVectors(for: Self.embedder.identity)
        let sealedFacts = try stores[1].loadVectors(for: Self.embedder.identity)
        #expect(plainFacts.facts == sealedFacts.facts)
        #expect(plainFacts.matrix.storage == sealedFacts.matrix.storage)
        #expect(try stores[0].records() == stores[1].records())
    }

    @Test("a store opens only with its key-encryption key and its own encryption setting")
    func keyIsRequired() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("s.sqlite")
        let provider = MemoryKeyProvider(current: MemoryKeyProvider.randomKey("k1"))
        let store = try SpaceStore(
            url: url,
            logger: Logger(label: "test"),
            encryption: .enabled(provider),
            spaceID: "x"
        )
        let records = try FHIRParser().parse(contentsOf: Self.sample).records
        try store.replaceSource(try Self.input("a.json", records))
        let digest = try store.sealedContentDigest()
        for encryption in [
            SpaceEncryption.enabled(MemoryKeyProvider(current: MemoryKeyProvider.randomKey("k2"))),
            .enabled(MemoryKeyProvider(current: MemoryKeyProvider.randomKey("k1"))),  // same id, other bytes
            .disabled,
        ] {
            let error = try #require(throws: StoreError.self) {
                try SpaceStore(url: url, logger: Logger(label: "test"), encryption: encryption)
            }
            #expect(error.code == .keyUnavailable)
        }
        // Re-wrapping changes the wrapped key only: the sealed content is byte for byte the same.
        let next = MemoryKeyProvider(current: MemoryKeyProvider.randomKey("k3"), others: [provider.current])
        #expect(try store.rewrapDataKey(with: next))
        #expect(try !store.rewrapDataKey(with: next))
        #expect(try store.keyEncryptionKeyID() == "k3")
        let reopened = try SpaceStore(
            url: url,
            logger: Logger(label: "test"),
            encryption: .enabled(MemoryKeyProvider(current: next.current))
        )
        #expect(reopened.spaceID == "x")
        #expect(try reopened.sealedContentDigest() == digest)
        #expect(try reopened.records().count == records.count)
        #expect(throws: StoreError.self) {
            try SpaceStore(url: url, logger: Logger(label: "test"), encryption: .enabled(provider))
        }
    }

    @Test("the key file is created once, owner-only, and rotation keeps old keys until it finishes")
    func keyFile() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let provider = FileKeyProvider(dataDirectory: folder)
        #expect(try provider.key(id: "kek-000000000000") == nil)
        #expect(!FileManager.default.fileExists(atPath: provider.url.path))
        let first = try provider.currentKey()
        #expect(try provider.currentKey().bytes == first.bytes && first.bytes.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: provider.url.path)[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
        let second = try provider.beginRotation()
        #expect(try provider.currentKey().id == second.id && second.id != first.id)
        #expect(try provider.key(id: first.id)?.bytes == first.bytes)
        try provider.finishRotation()
        #expect(try provider.key(id: first.id) == nil)
        #expect(try provider.key(id: second.id)?.bytes == second.bytes)
    }
}
