import Foundation
import TestSupport
import Testing

@testable import TextEmbedding

@Suite(
    .enabled(if: SharedData.isAvailable && MiniLMReference.isAvailable, "needs ../shared/reference/"),
    .enabled(if: SharedData.modelIsAvailable, "needs models/ (scripts/setup.sh)")
)
struct MiniLMEmbedderTests {
    let embedder: MiniLMEmbedder
    let reference: MiniLMReference

    init() throws {
        embedder = try MiniLMEmbedder(modelDirectory: SharedData.modelDirectory, threads: 1)
        reference = try MiniLMReference.load()
    }

    @Test("token ids equal sentence-transformers' for every reference text")
    func tokenIDsMatchReference() throws {
        try #require(!reference.items.isEmpty)
        for (index, item) in reference.items.enumerated() {
            #expect(embedder.tokenizer.tokenIDs(for: item.text) == item.tokenIDs, "item \(index)")
        }
    }

    @Test("embeddings of all reference texts, in one batch, have cosine ≥ 0.9999 with PyTorch's")
    func embeddingsMatchReferenceInOneBatch() throws {
        let vectors = try embedder.embed(reference.items.map(\.text))
        try #require(vectors.count == reference.items.count)
        for (index, (vector, item)) in zip(vectors, reference.items).enumerated() {
            #expect(vector.count == 384)
            let similarity = cosine(vector, item.embedding)
            #expect(similarity >= 0.9999, "item \(index): cosine \(similarity)")
        }
    }

    @Test("a text embedded alone gets the vector it gets inside a mixed-length batch")
    func batchingDoesNotChangeVectors() throws {
        let texts = reference.items.map(\.text)
        let together = try embedder.embed(texts)
        for (index, text) in texts.enumerated() {
            let alone = try embedder.embed(text)
            #expect(cosine(alone, together[index]) >= 0.99999, "item \(index)")
        }
    }

    @Test("two workers (several batches shared out) and a query split over two threads give the same vectors")
    func threadsDoNotChangeVectors() throws {
        let parallel = try MiniLMEmbedder(modelDirectory: SharedData.modelDirectory, threads: 2)
        // Enough text for several 2,048-token batches, so that both workers get some.
        let texts = Array(repeating: reference.items.map(\.text), count: 4).joined().map { $0 }
        let single = try embedder.embed(texts)
        let shared = try parallel.embed(texts)
        try #require(shared.count == texts.count)
        for index in texts.indices {
            #expect(cosine(shared[index], single[index]) >= 0.99999, "text \(index)")
            let item = reference.items[index % reference.items.count]
            #expect(cosine(shared[index], item.embedding) >= 0.9999, "text \(index)")
        }
        let query = reference.items.first { $0.tokenIDs.count <= 32 && $0.tokenIDs.count > 4 }
        let short = try #require(query)
        #expect(cosine(try parallel.embed(short.text), short.embedding) >= 0.9999)
    }

    @Test("queries from many tasks at once on one two-thread embedder get the vectors they get alone")
    func concurrentQueriesShareTheTeam() async throws {
        let parallel = try MiniLMEmbedder(modelDirectory: SharedData.modelDirectory, threads: 2)
        let items = reference.items.filter { $0.tokenIDs.count <= BERTEncoder.unpackedRowLimit }
        try #require(items.count >= 4)
        // While one query holds the helper threads, the others run on their own thread.
        let vectors = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for _ in 0..<4 {
                for (index, item) in items.enumerated() {
                    group.addTask { (index, try parallel.embed(item.text)) }
                }
            }
            var found: [(Int, [Float])] = []
            for try await pair in group { found.append(pair) }
            return found
        }
        #expect(vectors.count == items.count * 4)
        for (index, vector) in vectors {
            #expect(cosine(vector, items[index].embedding) >= 0.9999, "item \(index)")
        }
    }

    @Test("embedding on the calling thread alone gives the vectors of the two-thread embedder")
    func callingThreadMatchesThreads() throws {
        let parallel = try MiniLMEmbedder(modelDirectory: SharedData.modelDirectory, threads: 2)
        let texts = reference.items.map(\.text)
        let alone = try parallel.embedOnCallingThread(texts)
        let shared = try parallel.embed(texts)
        try #require(alone.count == texts.count)
        for index in texts.indices {
            #expect(cosine(alone[index], shared[index]) >= 0.99999, "text \(index)")
            #expect(cosine(alone[index], reference.items[index].embedding) >= 0.9999, "text \(index)")
        }
        let query = try #require(reference.items.first { $0.tokenIDs.count <= 16 })
        #expect(cosine(try parallel.embedOnCallingThread([query.text])[0], query.embedding) >= 0.9999)
    }

    @Test("vectors are unit length, in input order, and stamped with the weights' checksum")
    func unitVectorsInOrderAndIdentity() throws {
        let texts = ["Hemoglobin A1c 7.2 %", "penicillin allergy", ""]
        let forward = try embedder.embed(texts)
        let backward = try embedder.embed(texts.reversed())
        for (index, vector) in forward.enumerated() {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
            #expect(cosine(vector, backward[texts.count - 1 - index]) >= 0.99999)
        }
        #expect(cosine(forward[0], forward[1]) < 0.9)
        #expect(embedder.identity.id == "all-MiniLM-L6-v2@53aa5117")
        #expect(embedder.identity.dimension == 384)
    }

    @Test("related clinical texts are closer than unrelated ones")
    func meaningIsCaptured() throws {
        let vectors = try embedder.embed([
            "What was my last cholesterol result?",
            "Low Density Lipoprotein Cholesterol 132 mg/dL",
            "Influenza vaccine, seasonal, injectable",
        ])
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.1)
    }
}
