/// Vectors quantized to one byte per number, per dimension: `x ≈ minimum[j] + scale[j] · code`.
///
/// A quarter of the float32 bytes to scan. Scores are approximate; ``QuantizedSearch`` rescores the
/// best candidates with the float32 vectors to recover exact order at the top.
public struct QuantizedMatrix: Sendable {
    /// The vectors' length.
    public let dimension: Int
    /// The codes, row after row (N×d bytes).
    public private(set) var codes: [UInt8]
    /// Per-dimension offset.
    public let minimum: [Float]
    /// Per-dimension step.
    public let scale: [Float]

    /// How many vectors it holds.
    public var count: Int { codes.count / dimension }

    /// Quantizes a matrix, with each dimension's range taken from the matrix itself.
    public init(_ matrix: VectorMatrix) {
        let dimension = matrix.dimension
        self.dimension = dimension
        var low = [Float](repeating: .greatestFiniteMagnitude, count: dimension)
        var high = [Float](repeating: -.greatestFiniteMagnitude, count: dimension)
        matrix.storage.withUnsafeBufferPointer { values in
            for row in 0..<matrix.count {
                let base = row * dimension
                for j in 0..<dimension {
                    low[j] = min(low[j], values[base + j])
                    high[j] = max(high[j], values[base + j])
                }
            }
        }
        if matrix.count == 0 {
            low = [Float](repeating: 0, count: dimension)
            high = [Float](repeating: 0, count: dimension)
        }
        let scale = zip(low, high).map { low, high in high > low ? (high - low) / 255 : 1 }
        var codes = [UInt8](repeating: 0, count: matrix.storage.count)
        matrix.storage.withUnsafeBufferPointer { values in
            for row in 0..<matrix.count {
                let base = row * dimension
                for j in 0..<dimension {
                    let level = ((values[base + j] - low[j]) / scale[j]).rounded()
                    codes[base + j] = UInt8(max(0, min(255, level)))
                }
            }
        }
        self.codes = codes
        self.minimum = low
        self.scale = scale
    }
}
