import CKernels
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

    /// A one-thread (or `threads`) embedder with the given products; bfloat16 falls back to float32
    /// on a processor without AVX-512 BF16, which the precision tests below check.
    func makeEmbedder(_ precision: ProductPrecision, threads: Int = 1) throws -> MiniLMEmbedder {
        try MiniLMEmbedder(modelDirectory: SharedData.modelDirectory, threads: threads, precision: precision)
    }

    @Test(
        "embeddings of all reference texts, in one batch, have cosine ≥ 0.9999 with PyTorch's",
        arguments: ProductPrecision.allCases
    )
    func embeddingsMatchReferenceInOneBatch(precision: ProductPrecision) throws {
        let vectors = try makeEmbedder(precision).embed(reference.items.map(\.text))
        try #require(vectors.count == reference.items.count)
        for (index, (vector, item)) in zip(vectors, reference.items).enumerated() {
            #expect(vector.count == 384)
            let similarity = cosine(vector, item.embedding)
            #expect(similarity >= 0.9999, "item \(index): cosine \(similarity)")
        }
    }

    @Test(
        "a text embedded alone gets the vector it gets inside a mixed-length batch",
        arguments: ProductPrecision.allCases
    )
    func batchingDoesNotChangeVectors(precision: ProductPrecision) throws {
        let embedder = try makeEmbedder(precision)
        let texts = reference.items.map(\.text)
        let together = try embedder.embed(texts)
        for (index, text) in texts.enumerated() {
            let alone = try embedder.embed(text)
            #expect(cosine(alone, together[index]) >= 0.99999, "item \(index)")
        }
    }

    @Test(
        "two workers (several batches shared out) and a query split over two threads give the same vectors",
        arguments: ProductPrecision.allCases
    )
    func threadsDoNotChangeVectors(precision: ProductPrecision) throws {
        let embedder = try makeEmbedder(precision)
        let parallel = try makeEmbedder(precision, threads: 2)
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
        // One batch of more than 64 tokens: with bfloat16 its products are split over both threads too.
        let long = try #require(reference.items.max { $0.tokenIDs.count < $1.tokenIDs.count })
        try #require(long.tokenIDs.count > BERTEncoder.unpackedRowLimit)
        let split = try parallel.embed(long.text)
        #expect(cosine(split, try embedder.embed(long.text)) >= 0.99999)
        #expect(cosine(split, long.embedding) >= 0.9999)
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

    @Test(
        "embedding on the calling thread alone gives the vectors of the two-thread embedder",
        arguments: ProductPrecision.allCases
    )
    func callingThreadMatchesThreads(precision: ProductPrecision) throws {
        let parallel = try makeEmbedder(precision, threads: 2)
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

    @Test("float32 is used when asked for; bfloat16 by default exactly where the processor has AVX-512 BF16")
    func precisionFollowsTheProcessor() throws {
        #expect(try makeEmbedder(.float32).precision == .float32)
        let fastest: ProductPrecision = hg_bf16_supported() != 0 ? .bfloat16 : .float32
        #expect(ProductPrecision.fastest == fastest)
        #expect(try makeEmbedder(.bfloat16).precision == fastest)
        #expect(embedder.precision == fastest)
        // Both precisions give the same model's vectors: one identity.
        #expect(try makeEmbedder(.float32).identity == embedder.identity)
    }

    @Test(
        "bfloat16 products stay within cosine 0.9999 of float32 ones on 200-token chunks",
        .enabled(if: hg_bf16_supported() != 0, "needs a processor with AVX-512 BF16")
    )
    func bfloat16StaysCloseToFloat32() throws {
        // Long, varied texts: every reference text, each repeated up to the 256-piece limit.
        let texts = reference.items.map { String(repeating: $0.text + " ", count: 12) }
        let fast = try makeEmbedder(.bfloat16).embed(texts)
        let exact = try makeEmbedder(.float32).embed(texts)
        let similarities = texts.indices.map { cosine(fast[$0], exact[$0]) }
        for (index, similarity) in similarities.enumerated() {
            #expect(similarity >= 0.9999, "text \(index): cosine \(similarity)")
        }
        // And they are not float32 under another name.
        #expect(similarities.contains { $0 < 0.999999 })
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
