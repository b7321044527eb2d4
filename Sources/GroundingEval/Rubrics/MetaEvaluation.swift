/// How well a grader agrees with physicians, computed as HealthBench's meta-evaluation does.
///
/// Every (grader label, physician label) pair of an item counts once. Precision for a class is the
/// share of pairs where the grader said that class in which the physician agreed; recall is the share
/// of pairs where the physician said that class in which the grader agreed; F1 per class from those;
/// balanced (macro) F1 is the mean of the positive and negative F1. A value with nothing to count is
/// nil, and so is any F1 or balanced F1 built on it.
public enum MetaEvaluation {
    /// One graded rubric item: the grader's label and the labels of the physicians who graded it.
    public struct Item: Sendable, Hashable {
        /// Whether the grader found the criterion met.
        public var graderLabel: Bool
        /// Each physician's label for the same criterion and response.
        public var humanLabels: [Bool]
        /// A group to report separately (HealthBench's rubric cluster), if any.
        public var cluster: String?

        /// Creates an item.
        public init(graderLabel: Bool, humanLabels: [Bool], cluster: String? = nil) {
            self.graderLabel = graderLabel
            self.humanLabels = humanLabels
            self.cluster = cluster
        }
    }

    /// A value with how many pairs it was computed from.
    public struct Metric: Sendable, Codable, Hashable {
        /// The value, or nil when there was nothing to count.
        public var value: Double?
        /// The number of pairs behind it (for F1: TP + FP + FN; balanced: the two counts added).
        public var count: Double
    }

    /// Precision, recall and F1 of both classes, and the balanced F1.
    public struct Agreement: Sendable, Codable, Hashable {
        /// Precision of the grader's "met" labels.
        public var positivePrecision: Metric
        /// Recall of the physicians' "met" labels.
        public var positiveRecall: Metric
        /// F1 of the "met" class.
        public var positiveF1: Metric
        /// Precision of the grader's "not met" labels.
        public var negativePrecision: Metric
        /// Recall of the physicians' "not met" labels.
        public var negativeRecall: Metric
        /// F1 of the "not met" class.
        public var negativeF1: Metric
        /// The mean of the two F1 values: HealthBench's headline grader metric.
        public var balancedF1: Metric
    }

    /// Agreement over all items, and per cluster.
    public struct Result: Sendable, Codable, Hashable {
        /// Over every item.
        public var overall: Agreement
        /// Per cluster, for items that name one.
        public var byCluster: [String: Agreement]
    }

    /// Computes agreement.
    public static func evaluate(_ items: [Item]) -> Result {
        var clusters: [String: [Item]] = [:]
        for item in items {
            if let cluster = item.cluster { clusters[cluster, default: []].append(item) }
        }
        return Result(overall: agreement(items), byCluster: clusters.mapValues(agreement))
    }

    private static func agreement(_ items: [Item]) -> Agreement {
        // Pair counts: [grader label][physician label].
        var truePositive = 0.0
        var falsePositive = 0.0
        var falseNegative = 0.0
        var trueNegative = 0.0
        for item in items {
            for human in item.humanLabels {
                switch (item.graderLabel, human) {
                case (true, true): truePositive += 1
                case (true, false): falsePositive += 1
                case (false, true): falseNegative += 1
                case (false, false): trueNegative += 1
                }
            }
        }
        let positivePrecision = ratio(truePositive, truePositive + falsePositive)
        let positiveRecall = ratio(truePositive, truePositive + falseNegative)
        let negativePrecision = ratio(trueNegative, trueNegative + falseNegative)
        let negativeRecall = ratio(trueNegative, trueNegative + falsePositive)
        let positiveF1 = f1(positivePrecision, positiveRecall)
        let negativeF1 = f1(negativePrecision, negativeRecall)
        let balanced: Double? =
            if let positive = positiveF1.value, let negative = negativeF1.value { (positive + negative) / 2 } else {
                nil
            }
        return Agreement(
            positivePrecision: positivePrecision,
            positiveRecall: positiveRecall,
            positiveF1: positiveF1,
            negativePrecision: negativePrecision,
            negativeRecall: negativeRecall,
            negativeF1: negativeF1,
            balancedF1: Metric(value: balanced, count: positiveF1.count + negativeF1.count)
        )
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Metric {
        Metric(value: denominator > 0 ? numerator / denominator : nil, count: denominator)
    }

    private static func f1(_ precision: Metric, _ recall: Metric) -> Metric {
        guard let p = precision.value, let r = recall.value else {
            return Metric(value: nil, count: precision.count + recall.count)
        }
        let truePositive = p * precision.count
        let count = precision.count + recall.count - truePositive
        return Metric(value: p + r == 0 ? 0 : 2 * p * r / (p + r), count: count)
    }
}
