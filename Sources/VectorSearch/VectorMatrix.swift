import CKernels

/// Row-major float32 vectors of one dimension, stored contiguously (N×d).
public struct VectorMatrix: Sendable {
    /// From this many numbers (8 MiB), a matrix made from whole storage is copied into memory advised
    /// for huge pages.
    static let hugePageNumbers = 2_097_152

    /// The vectors' length.
    public let dimension: Int
    /// The numbers, row after row.
    public private(set) var storage: [Float]
    /// At least the largest Euclidean norm of a row (exactly it, up to double rounding, after `init` and
    /// ``removeRows(_:)``; appends raise it when they must). NaN when a row holds a NaN. It scales the
    /// error bound of a bfloat16 first pass (``ExactSearch/BatchProducts``).
    public private(set) var normBound: Double = 0

    /// An empty matrix of a dimension.
    public init(dimension: Int) {
        precondition(dimension > 0, "dimension must be positive")
        self.dimension = dimension
        self.storage = []
    }

    /// A matrix from contiguous rows.
    ///
    /// From 8 MiB, the rows are copied once into fresh memory advised for huge pages before it is
    /// written (``hugePageCopy(of:)``): an exact scan reads 2 MB pages about 1.5× faster than 4 KB ones,
    /// and Linux gives huge pages to a process only where it asks for them unless configured otherwise.
    /// - Precondition: `storage.count` is a multiple of `dimension`.
    public init(dimension: Int, storage: [Float]) {
        precondition(dimension > 0 && storage.count % dimension == 0, "storage must hold whole rows")
        self.dimension = dimension
        self.storage = storage.count >= Self.hugePageNumbers ? Self.hugePageCopy(of: storage) : storage
        normBound = Self.largestNorm(of: self.storage, dimension: dimension)
    }

    /// The largest norm of the rows of `values` (`hg_largest_norm`).
    static func largestNorm(of values: [Float], dimension: Int) -> Double {
        values.withUnsafeBufferPointer { hg_largest_norm($0.baseAddress, $0.count / dimension, dimension) }
    }

    /// A copy of `values` in memory advised for huge pages before the first write (on systems without
    /// the advice, a plain copy).
    static func hugePageCopy(of values: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            _ = hg_advise_huge_pages(buffer.baseAddress, values.count * MemoryLayout<Float>.stride)
            values.withUnsafeBufferPointer { source in
                _ = buffer.initialize(from: source)
            }
            initialized = values.count
        }
    }

    /// How many vectors it holds.
    public var count: Int { storage.count / dimension }

    /// Appends a vector.
    /// - Precondition: `vector.count == dimension`.
    public mutating func append(_ vector: [Float]) {
        precondition(vector.count == dimension, "vector has \(vector.count) numbers, expected \(dimension)")
        storage.append(contentsOf: vector)
        let norm = Self.largestNorm(of: vector, dimension: dimension)
        if norm.isNaN || norm > normBound { normBound = norm }
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
        normBound = Self.largestNorm(of: kept, dimension: dimension)
    }
}
