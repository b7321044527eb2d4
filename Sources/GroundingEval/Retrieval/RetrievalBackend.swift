/// What `healthground eval retrieval` needs from a search system: index a benchmark's documents, then
/// answer queries with document ids, best first. HealthGround's implementation (BEIR documents into a
/// space, searched dense, lexical or hybrid) belongs to the façade; any other system can be measured
/// the same way.
public protocol RetrievalBackend: Sendable {
    /// A short name for reports (`healthground-hybrid`, `bm25`, …).
    var name: String { get }

    /// Indexes the documents (called once before any search).
    /// - Parameters:
    ///   - documents: the corpus.
    ///   - progress: called with (documents done, documents in all).
    func index(_ documents: [BEIRDataset.Document], progress: (@Sendable (Int, Int) -> Void)?) async throws

    /// The ids of the best `k` documents for a query, best first.
    func search(_ query: String, k: Int) async throws -> [String]
}
