import Synchronization
import TextEmbedding

/// An embedder that embeds each distinct text once and remembers its vector, for commands that
/// triage the same cases many times (a threshold sweep).
final class MemoizingEmbedder: Embedder {
    private let base: any Embedder
    private let vectors = Mutex<[String: [Float]]>([:])

    init(_ base: any Embedder) { self.base = base }

    var identity: EmbedderIdentity { base.identity }

    func embed(_ texts: [String]) throws -> [[Float]] {
        let known = vectors.withLock { cache in texts.map { cache[$0] } }
        let missing = Array(Set(zip(texts, known).filter { $0.1 == nil }.map(\.0)))
        if !missing.isEmpty {
            let fresh = try base.embed(missing)
            vectors.withLock { cache in
                for (text, vector) in zip(missing, fresh) { cache[text] = vector }
            }
        }
        return vectors.withLock { cache in texts.map { cache[$0] ?? [] } }
    }
}
