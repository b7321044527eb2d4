import Testing
import VectorSearch

@Suite struct PCAProjectionTests {
    @Test("the top components of data stretched along known axes are those axes, with their variances")
    func recoversKnownAxes() throws {
        var random = SeededVectors(state: 5)
        let dimension = 8
        var matrix = VectorMatrix(dimension: dimension)
        for _ in 0..<4_000 {
            var vector = (0..<dimension).map { _ in random.next() * 0.05 }
            vector[2] += random.next() * 3  // uniform on [-3, 3]: variance 3
            vector[5] += random.next() * 2  // variance 4/3
            vector[0] += 10  // an offset that centering removes
            matrix.append(vector)
        }
        let pca = try PCAProjection(fitting: matrix, components: 2)
        #expect(abs(pca.mean[0] - 10) < 0.05)
        let first = (0..<dimension).map { pca.projection[$0 * 2] }
        let second = (0..<dimension).map { pca.projection[$0 * 2 + 1] }
        #expect(abs(abs(first[2]) - 1) < 0.01)
        #expect(abs(abs(second[5]) - 1) < 0.01)
        #expect(abs(pca.explainedVariance[0] - 3) < 0.2)
        #expect(abs(pca.explainedVariance[1] - 4.0 / 3) < 0.1)
        #expect(pca.explainedShare > 0.99 && pca.explainedShare <= 1.0001)
        let reduced = pca.reduce(matrix)
        #expect(reduced.count == matrix.count && reduced.dimension == 2)
    }

    @Test("search in a reduced space with rescoring finds the exact top 10 on low-rank data")
    func reducedSearchRecall() throws {
        var random = SeededVectors(state: 9)
        let dimension = 96
        let basis = (0..<12).map { _ in random.unitVector(dimension) }
        var matrix = VectorMatrix(dimension: dimension)
        for _ in 0..<3_000 {
            var vector = [Float](repeating: 0, count: dimension)
            for axis in basis {
                let weight = random.next()
                for j in 0..<dimension { vector[j] += weight * axis[j] }
            }
            for j in 0..<dimension { vector[j] += random.next() * 0.02 }
            matrix.append(vector)
        }
        let pca = try PCAProjection(fitting: matrix, components: 24)
        let reduced = pca.reduce(matrix)
        var found = 0
        for _ in 0..<30 {
            let query = matrix.row(Int(abs(random.next()) * 2_999)).map(\.self)
            let exact = Set(ExactSearch.topK(query: query, in: matrix, k: 10).map(\.row))
            let approximate = PCASearch.topK(query: query, projection: pca, reduced: reduced, exact: matrix, k: 10)
            found += approximate.filter { exact.contains($0.row) }.count
        }
        #expect(Double(found) / 300 >= 0.99)
    }
}
