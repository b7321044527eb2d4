/// Fuses ranked lists.
public enum RankFusion {
    /// A fused result.
    public struct Fused: Sendable, Hashable {
        /// The chunk row.
        public var rowID: Int64
        /// The fused score.
        public var score: Double
        /// 1-based rank in the dense list.
        public var denseRank: Int?
        /// The dense similarity.
        public var denseScore: Float?
        /// 1-based rank in the lexical list.
        public var lexicalRank: Int?
    }

    /// Reciprocal-rank fusion: each list adds `1 / (constant + rank)`; ties broken by row id.
    /// - Parameters:
    ///   - dense: rows with their similarity, best first.
    ///   - lexical: rows with their BM25 score, best first.
    ///   - constant: the RRF constant (60 in the original paper).
    public static func reciprocalRank(
        dense: [(Int64, Float)],
        lexical: [(Int64, Double)],
        constant: Double = 60
    ) -> [Fused] {
        var fused: [Int64: Fused] = [:]
        for (index, (row, score)) in dense.enumerated() {
            fused[row, default: Fused(rowID: row, score: 0)].score += 1 / (constant + Double(index + 1))
            fused[row]?.denseRank = index + 1
            fused[row]?.denseScore = score
        }
        for (index, (row, _)) in lexical.enumerated() {
            fused[row, default: Fused(rowID: row, score: 0)].score += 1 / (constant + Double(index + 1))
            fused[row]?.lexicalRank = index + 1
        }
        return fused.values.sorted { $0.score != $1.score ? $0.score > $1.score : $0.rowID < $1.rowID }
    }
}
