import Foundation

/// A deterministic bag-of-features embedder for tests and for running without the model.
///
/// Lower-cased word unigrams, word bigrams and character trigrams of words are hashed (FNV-1a) into
/// `dimension` signed buckets, weighted by sub-linear term frequency, then L2-normalized. Texts that
/// share words get similar vectors; it knows nothing of meaning.
public struct HashingEmbedder: Embedder {
    public let identity: EmbedderIdentity

    /// Creates a hashing embedder.
    /// - Parameter dimension: the vectors' length (384 to match MiniLM's shape).
    public init(dimension: Int = 384) {
        precondition(dimension > 0, "dimension must be positive")
        identity = EmbedderIdentity(id: "hashing-fnv1a", dimension: dimension, version: 1)
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        texts.map(vector)
    }

    private func vector(for text: String) -> [Float] {
        let dimension = identity.dimension
        var vector = [Float](repeating: 0, count: dimension)
        let words = Self.words(in: text)
        var counts: [String: Int] = [:]
        for (index, word) in words.enumerated() {
            counts["w:" + word, default: 0] += 1
            if index > 0 { counts["b:" + words[index - 1] + " " + word, default: 0] += 1 }
            let padded = Array("<" + word + ">")
            if padded.count > 4 {
                for start in 0...(padded.count - 3) {
                    counts["c:" + String(padded[start..<start + 3]), default: 0] += 1
                }
            }
        }
        // Sorted, so that the floating-point sums are the same in every run and process.
        for (feature, count) in counts.sorted(by: { $0.key < $1.key }) {
            let hash = Self.fnv1a(feature)
            let bucket = Int(hash % UInt64(dimension))
            let sign: Float = (hash >> 63) == 0 ? 1 : -1
            let weight: Float = feature.hasPrefix("c:") ? 0.35 : (feature.hasPrefix("b:") ? 0.6 : 1)
            vector[bucket] += sign * weight * (1 + logf(Float(count)))
        }
        var norm: Float = 0
        for value in vector { norm += value * value }
        norm = norm.squareRoot()
        if norm > 0 {
            for index in vector.indices { vector[index] /= norm }
        } else {
            vector[0] = 1
        }
        return vector
    }

    static func words(in text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
