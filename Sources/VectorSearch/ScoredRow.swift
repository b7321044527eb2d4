/// A row of a matrix and its similarity to a query.
public struct ScoredRow: Hashable, Sendable {
    /// The row index in the matrix.
    public var row: Int
    /// The inner product with the query (cosine similarity for unit vectors).
    public var score: Float

    /// Creates a scored row.
    public init(row: Int, score: Float) {
        self.row = row
        self.score = score
    }
}
