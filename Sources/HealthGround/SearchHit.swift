public import HealthRecords

/// One search result: the chunk, its fused score and ranks, and what it cites.
public struct SearchHit: Sendable, Codable, Hashable {
    /// 1-based rank in the fused list.
    public var rank: Int
    /// The fused score (reciprocal-rank fusion: higher is better).
    public var score: Double
    /// The rank in the dense (vector) list, when the chunk was in it.
    public var denseRank: Int?
    /// The inner product with the query, when the chunk was in the dense list.
    public var denseScore: Float?
    /// The rank in the lexical (BM25) list, when the chunk was in it.
    public var lexicalRank: Int?
    /// The chunk.
    public var chunk: Chunk

    /// `Synthea/Condition.ndjson#Condition/abc (2020-03-01)`: source file, resource id and date.
    public var citation: String {
        var text = chunk.provenance.sourceFile
        if let type = chunk.provenance.resourceType, let id = chunk.provenance.resourceID {
            text += " · \(type)/\(id)"
        }
        if let date = chunk.date { text += " · \(FHIRDate.day(date))" }
        return text
    }
}
