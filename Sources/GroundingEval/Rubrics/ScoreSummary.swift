/// A reported score: the mean clipped to [0, 1], its bootstrap standard deviation, and how many values.
public struct ScoreSummary: Sendable, Codable, Hashable {
    /// The mean of the values, clipped to [0, 1].
    public var mean: Double
    /// The standard deviation of the clipped mean over bootstrap resamples.
    public var standardDeviation: Double
    /// How many values (examples) went into the mean.
    public var count: Int

    /// Creates a summary.
    public init(mean: Double, standardDeviation: Double, count: Int) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.count = count
    }

    /// HealthBench's aggregate: the mean clipped to [0, 1], and the population standard deviation of
    /// that clipped mean over `resamples` bootstrap resamples (each of `values.count` draws with
    /// replacement) from a generator seeded with `seed`.
    /// - Returns: nil for no values.
    public static func clippedMean(of values: [Double], resamples: Int = 1000, seed: UInt64) -> ScoreSummary? {
        guard !values.isEmpty else { return nil }
        var generator = SeededGenerator(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<values.count { sum += values[Int.random(in: 0..<values.count, using: &generator)] }
            means.append(clip(sum / Double(values.count)))
        }
        return ScoreSummary(
            mean: clip(values.reduce(0, +) / Double(values.count)),
            standardDeviation: populationStandardDeviation(means),
            count: values.count
        )
    }

    static func clip(_ value: Double) -> Double { min(max(value, 0), 1) }

    static func populationStandardDeviation(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return variance.squareRoot()
    }
}
