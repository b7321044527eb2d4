import Testing
import TextEmbedding

@Suite struct HashingEmbedderTests {
    @Test("vectors are deterministic, unit length and of the stated dimension", arguments: [8, 384])
    func deterministicUnitVectors(dimension: Int) throws {
        let embedder = HashingEmbedder(dimension: dimension)
        let texts = ["Hemoglobin A1c 7.2 %", "", "lisinopril 10 MG Oral Tablet"]
        let first = try embedder.embed(texts)
        let second = try embedder.embed(texts)
        #expect(first == second)
        for vector in first {
            #expect(vector.count == dimension)
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test("texts that share words are closer than texts that do not")
    func sharedWordsAreCloser() throws {
        let embedder = HashingEmbedder()
        let vectors = try embedder.embed([
            "essential hypertension", "hypertension essential diagnosis", "penicillin allergy hives",
        ])
        func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2]) + 0.3)
    }

    @Test("the identity names the scheme and the dimension")
    func identity() {
        let identity = HashingEmbedder(dimension: 64).identity
        #expect(identity.id == "hashing-fnv1a")
        #expect(identity.dimension == 64)
        #expect(identity != HashingEmbedder(dimension: 384).identity)
    }
}
