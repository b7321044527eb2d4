/// Row-major float32 vectors of one dimension, stored contiguously (N×d).
public struct VectorMatrix: Sendable {
    /// The vectors' length.
    public let dimension: Int
    /// The numbers, row after row.
    public private(set) var storage: [Float]

    /// An empty matrix of a dimension.
    public init(dimension: Int) {
        precondition(dimension > 0, "dimension must be positive")
        self.dimension = dimension
        self.storage = []
    }

    /// A matrix from contiguous rows.
    /// - Precondition: `storage.count` is a multiple of `dimension`.
    public init(dimension: Int, storage: [Float]) {
        precondition(dimension > 0 && storage.count % dimension == 0, "storage must hold whole rows")
        self.dimension = dimension
        self.storage = storage
    }

    /// How many vectors it holds.
    public var count: Int { storage.count / dimension }

    /// Appends a vector.
    /// - Precondition: `vector.count == dimension`.
    public mutating func append(_ vector: [Float]) {
        precondition(vector.count == dimension, "vector has \(vector.count) numbers, expected \(dimension)")
        storage.append(contentsOf: vector)
    }

    /// Reserves room for `count` vectors.
    public mutating func reserveCapacity(_ count: Int) {
        storage.reserveCapacity(count * dimension)
    }

    /// The vector at a row.
    public func row(_ index: Int) -> ArraySlice<Float> {
        storage[(index * dimension)..<((index + 1) * dimension)]
    }

    /// Removes the rows at the given indices, keeping the others' order.
    public mutating func removeRows(_ indices: Set<Int>) {
        guard !indices.isEmpty else { return }
        var kept: [Float] = []
        kept.reserveCapacity(storage.count - indices.count * dimension)
        for row in 0..<count where !indices.contains(row) {
            kept.append(contentsOf: self.row(row))
        }
        storage = kept
    }
}
