public import VectorSearch

/// A space's vectors in memory: one contiguous matrix, and for each row its chunk and its facts.
public struct LoadedVectors: Sendable {
    /// The chunk row id of each matrix row.
    public var rowIDs: [Int64]
    /// The vectors (N×d).
    public var matrix: VectorMatrix
    /// What filters look at, per matrix row.
    public var facts: [ChunkFacts]

    /// An empty set of vectors of a dimension.
    public init(dimension: Int) {
        rowIDs = []
        matrix = VectorMatrix(dimension: dimension)
        facts = []
    }
}
