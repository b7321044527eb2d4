import Foundation

/// Folds raw HealthKit samples into one value per type and day, counting each interval once.
///
/// Samples are bucketed by (type, category value, source, local hour). For each (type, value, hour) one
/// source is kept — the one with the most data in that hour (largest total for cumulative types, most
/// samples otherwise) — so a watch and a phone that both counted the same steps are not added together.
/// The kept hours are then summed (cumulative types) or combined into mean, minimum and maximum.
/// Memory grows with the number of distinct (type, source, hour) buckets, not with the samples.
struct DailySampleAggregator {
    struct Key: Hashable {
        var type: Int32
        var value: Int32
        var source: Int32
        var hour: Int32
    }

    struct Bucket {
        var sum = 0.0
        var count = 0
        var minimum = Double.infinity
        var maximum = -Double.infinity

        mutating func add(_ value: Double) {
            sum += value
            count += 1
            minimum = min(minimum, value)
            maximum = max(maximum, value)
        }

        mutating func merge(_ other: Bucket) {
            sum += other.sum
            count += other.count
            minimum = min(minimum, other.minimum)
            maximum = max(maximum, other.maximum)
        }
    }

    /// One type's (and category value's) summary for one local day.
    struct DailySummary {
        var type: String
        var categoryValue: String?
        var unit: String?
        var day: Int
        var total: Bucket
        var sources: [String]
        var discardedSamples: Int
    }

    private(set) var types = Interner()
    private(set) var values = Interner()
    private(set) var sources = Interner()
    private var units: [Int32: String] = [:]
    private var buckets: [Key: Bucket] = [:]
    private(set) var sampleCount = 0

    /// Adds one quantity sample (`value` in `unit`) or one category sample (`categoryValue`, measured
    /// as its duration in minutes).
    mutating func add(type: String, source: String, unit: String?, hour: Int, value: Double, categoryValue: String?) {
        let typeIndex = types.index(of: type)
        if units[typeIndex] == nil, let unit { units[typeIndex] = unit }
        let key = Key(
            type: typeIndex,
            value: categoryValue.map { values.index(of: $0) } ?? -1,
            source: sources.index(of: source),
            hour: Int32(clamping: hour)
        )
        buckets[key, default: Bucket()].add(value)
        sampleCount += 1
    }

    /// The daily summaries, ordered by type, value and day.
    func summaries() -> [DailySummary] {
        struct HourKey: Hashable {
            var type: Int32
            var value: Int32
            var hour: Int32
        }
        var chosen: [HourKey: (source: Int32, bucket: Bucket, discarded: Int)] = [:]
        for (key, bucket) in buckets {
            let hourKey = HourKey(type: key.type, value: key.value, hour: key.hour)
            let cumulative = AppleHealthTypes.isCumulative(types.names[Int(key.type)]) || key.value >= 0
            if let current = chosen[hourKey] {
                let better =
                    cumulative
                    ? (bucket.sum, -key.source) > (current.bucket.sum, -current.source)
                    : (bucket.count, -key.source) > (current.bucket.count, -current.source)
                if better {
                    chosen[hourKey] = (key.source, bucket, current.discarded + current.bucket.count)
                } else {
                    chosen[hourKey]?.discarded += bucket.count
                }
            } else {
                chosen[hourKey] = (key.source, bucket, 0)
            }
        }
        struct DayKey: Hashable, Comparable {
            var type: Int32
            var value: Int32
            var day: Int32
            static func < (lhs: DayKey, rhs: DayKey) -> Bool {
                (lhs.type, lhs.value, lhs.day) < (rhs.type, rhs.value, rhs.day)
            }
        }
        var days: [DayKey: (bucket: Bucket, sources: Set<Int32>, discarded: Int)] = [:]
        // Hours are merged in time order: floating-point sums depend on their order, and a dictionary's
        // order changes from run to run (a daily distance came out 5.17 km once and 5.16 km the next).
        let hours = chosen.sorted {
            ($0.key.type, $0.key.value, $0.key.hour) < ($1.key.type, $1.key.value, $1.key.hour)
        }
        for (hourKey, choice) in hours {
            let day = Int32(floor(Double(hourKey.hour) / 24))
            let key = DayKey(type: hourKey.type, value: hourKey.value, day: day)
            var entry = days[key] ?? (Bucket(), [], 0)
            entry.bucket.merge(choice.bucket)
            entry.sources.insert(choice.source)
            entry.discarded += choice.discarded
            days[key] = entry
        }
        return days.sorted { $0.key < $1.key }.map { key, entry in
            DailySummary(
                type: types.names[Int(key.type)],
                categoryValue: key.value >= 0 ? values.names[Int(key.value)] : nil,
                unit: key.value >= 0 ? "min" : units[key.type],
                day: Int(key.day),
                total: entry.bucket,
                sources: entry.sources.map { sources.names[Int($0)] }.sorted(),
                discardedSamples: entry.discarded
            )
        }
    }

    /// Strings to small integers, so that millions of samples do not each hold their type's name.
    struct Interner {
        private var indexes: [String: Int32] = [:]
        private(set) var names: [String] = []

        mutating func index(of name: String) -> Int32 {
            if let index = indexes[name] { return index }
            let index = Int32(names.count)
            indexes[name] = index
            names.append(name)
            return index
        }
    }
}
