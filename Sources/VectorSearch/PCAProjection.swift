import CBLAS
import CLAPACKE

/// A linear reduction of vectors to their top principal components, computed with LAPACKE.
///
/// `reduce(x) = (x − mean) · P`, with `P` the d×r matrix of the covariance's top-r eigenvectors.
/// Inner products in the reduced space rank vectors approximately as the full ones do (the mean's
/// share is the same for every vector); ``PCASearch`` rescores the best candidates in full.
public struct PCAProjection: Sendable, Hashable, Codable {
    /// The full dimension d.
    public let dimension: Int
    /// The reduced dimension r.
    public let components: Int
    /// The mean vector (d).
    public let mean: [Float]
    /// The projection, row-major d×r.
    public let projection: [Float]
    /// The eigenvalues of the kept components, largest first: the variance each explains.
    public let explainedVariance: [Float]
    /// The total variance of the fitted vectors (the covariance's trace).
    public let totalVariance: Float

    /// The share of the total variance the kept components explain.
    public var explainedShare: Double {
        totalVariance > 0 ? Double(explainedVariance.reduce(0, +) / totalVariance) : 0
    }

    /// An error from LAPACKE's eigen solver.
    public struct SolverError: Error, Sendable, CustomStringConvertible {
        /// LAPACKE's `info` code.
        public var info: Int
        public var description: String { "the eigen solver (ssyevd) failed with info \(info)" }
    }

    /// Fits the projection on a matrix's rows.
    /// - Parameters:
    ///   - matrix: the vectors (N×d), N ≥ 2.
    ///   - components: how many components to keep, 1…d.
    /// - Throws: ``SolverError`` when LAPACKE does not converge.
    public init(fitting matrix: VectorMatrix, components: Int) throws {
        let d = matrix.dimension
        let n = matrix.count
        precondition(components >= 1 && components <= d, "components must be in 1…\(d)")
        precondition(n >= 2, "fitting needs at least two vectors")
        var mean = [Float](repeating: 0, count: d)
        matrix.storage.withUnsafeBufferPointer { values in
            for row in 0..<n {
                for j in 0..<d { mean[j] += values[row * d + j] }
            }
        }
        for j in 0..<d { mean[j] /= Float(n) }
        // Covariance: (Xᵀ·X)/n − mean·meanᵀ, with (d×N)·(N×d) → d×d in one sgemm.
        var covariance = [Float](repeating: 0, count: d * d)
        matrix.storage.withUnsafeBufferPointer { x in
            cblas_sgemm(
                CblasRowMajor,
                CblasTrans,
                CblasNoTrans,
                Int32(d),
                Int32(d),
                Int32(n),
                1 / Float(n),
                x.baseAddress,
                Int32(d),
                x.baseAddress,
                Int32(d),
                0,
                &covariance,
                Int32(d)
            )
        }
        for i in 0..<d {
            for j in 0..<d { covariance[i * d + j] -= mean[i] * mean[j] }
        }
        var trace: Float = 0
        for i in 0..<d { trace += covariance[i * d + i] }
        // Eigen-decomposition of the symmetric d×d covariance; eigenvalues come back ascending and
        // the eigenvectors overwrite `covariance` as columns.
        var eigenvalues = [Float](repeating: 0, count: d)
        let info = LAPACKE_ssyevd(
            hg_lapack_row_major,
            Int8(UInt8(ascii: "V")),
            Int8(UInt8(ascii: "U")),
            hg_lapack_int(d),
            &covariance,
            hg_lapack_int(d),
            &eigenvalues
        )
        guard info == 0 else { throw SolverError(info: Int(info)) }
        var projection = [Float](repeating: 0, count: d * components)
        for component in 0..<components {
            let column = d - 1 - component
            for i in 0..<d { projection[i * components + component] = covariance[i * d + column] }
        }
        self.dimension = d
        self.components = components
        self.mean = mean
        self.projection = projection
        self.explainedVariance = (0..<components).map { eigenvalues[d - 1 - $0] }
        self.totalVariance = trace
    }

    /// Reduces every row of a matrix: (N×d − mean) · (d×r) → N×r.
    public func reduce(_ matrix: VectorMatrix) -> VectorMatrix {
        precondition(matrix.dimension == dimension, "dimension mismatch")
        let n = matrix.count
        guard n > 0 else { return VectorMatrix(dimension: components) }
        var centered = matrix.storage
        for row in 0..<n {
            for j in 0..<dimension { centered[row * dimension + j] -= mean[j] }
        }
        var reduced = [Float](repeating: 0, count: n * components)
        // (N×d) · (d×r) → N×r
        cblas_sgemm(
            CblasRowMajor,
            CblasNoTrans,
            CblasNoTrans,
            Int32(n),
            Int32(components),
            Int32(dimension),
            1,
            centered,
            Int32(dimension),
            projection,
            Int32(components),
            0,
            &reduced,
            Int32(components)
        )
        return VectorMatrix(dimension: components, storage: reduced)
    }

    /// Reduces a query without centering: its inner products with reduced rows rank as `q·(x − mean)`.
    public func reduceQuery(_ query: [Float]) -> [Float] {
        precondition(query.count == dimension, "dimension mismatch")
        var reduced = [Float](repeating: 0, count: components)
        // (r×d)ᵀ view: d×r projection transposed times the d-vector → r
        cblas_sgemv(
            CblasRowMajor,
            CblasTrans,
            Int32(dimension),
            Int32(components),
            1,
            projection,
            Int32(components),
            query,
            1,
            0,
            &reduced,
            1
        )
        return reduced
    }
}

/// Search in a PCA-reduced space, with the best candidates rescored on the full vectors.
public enum PCASearch {
    /// The `k` best rows: `k × rescoreFactor` candidates by reduced inner product, rescored exactly.
    public static func topK(
        query: [Float],
        projection: PCAProjection,
        reduced: VectorMatrix,
        exact: VectorMatrix,
        k: Int,
        rescoreFactor: Int = 8,
        allowed: ((Int) -> Bool)? = nil
    ) -> [ScoredRow] {
        let candidates = ExactSearch.topK(
            query: projection.reduceQuery(query),
            in: reduced,
            k: k * max(1, rescoreFactor),
            allowed: allowed
        )
        return ExactSearch.rescore(candidates.map(\.row), query: query, in: exact, k: k)
    }
}
