import Foundation

/// One `<Workout>` element with its statistics and a few metadata entries, as read.
struct AppleHealthWorkout {
    let attributes: [String: String]
    let location: String
    var statistics: [[String: String]] = []
    var metadata: [(String, String)] = []

    init(attributes: [String: String], location: String) {
        self.attributes = attributes
        self.location = location
    }

    mutating func addStatistics(_ attributes: [String: String]) {
        statistics.append(attributes)
    }

    mutating func addMetadata(key: String, value: String) {
        let kept: Set<String> = ["HKIndoorWorkout", "HKAverageMETs", "HKElevationAscended", "HKWeatherTemperature"]
        if kept.contains(key) { metadata.append((key, value)) }
    }

    func record(file: String, ordinal: Int) -> ClinicalRecord {
        let activity = attributes["workoutActivityType"] ?? "HKWorkoutActivityTypeOther"
        let start = attributes["startDate"].flatMap(AppleHealthDate.init)
        let end = attributes["endDate"].flatMap(AppleHealthDate.init)
        var record = ClinicalRecord(
            id: RecordID("AppleHealth/Workout/\(attributes["startDate"] ?? "#\(ordinal)")/\(activity)"),
            kind: .workout,
            title: AppleHealthTypes.displayName(activity),
            codes: [ClinicalCode(system: .healthKit, code: activity)],
            date: start?.date,
            endDate: end?.date,
            provenance: Provenance(sourceFile: file, resourceType: "Workout", location: location)
        )
        if let duration = attributes["duration"].flatMap(Double.init) {
            record.value = .quantity(Quantity(value: (duration * 10).rounded() / 10, unit: attributes["durationUnit"]))
        }
        func add(_ name: String, _ valueKey: String, _ unitKey: String) {
            guard let value = attributes[valueKey].flatMap(Double.init) else { return }
            let rounded = (value * 100).rounded() / 100
            record.attributes.append(
                RecordAttribute(name, Quantity(value: rounded, unit: attributes[unitKey]).description)
            )
        }
        add("distance", "totalDistance", "totalDistanceUnit")
        add("energy burned", "totalEnergyBurned", "totalEnergyBurnedUnit")
        for statistic in statistics {
            guard let type = statistic["type"] else { continue }
            let unit = statistic["unit"]
            var parts: [String] = []
            for (key, label) in [("sum", "total"), ("average", "average"), ("minimum", "min"), ("maximum", "max")] {
                if let value = statistic[key].flatMap(Double.init) {
                    parts.append("\(label) \(Quantity(value: (value * 10).rounded() / 10, unit: unit))")
                }
            }
            let value: RecordValue? =
                (statistic["sum"] ?? statistic["average"]).flatMap(Double.init).map {
                    .quantity(Quantity(value: ($0 * 10).rounded() / 10, unit: unit))
                }
            record.components.append(
                RecordComponent(
                    title: AppleHealthTypes.displayName(type)
                        + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"),
                    codes: AppleHealthTypes.codes(type),
                    value: value
                )
            )
        }
        for (key, value) in metadata {
            let name = key.hasPrefix("HK") ? String(key.dropFirst(2)) : key
            record.attributes.append(RecordAttribute(AppleHealthTypes.displayName(name).lowercased(), value))
        }
        if let source = attributes["sourceName"] { record.attributes.append(RecordAttribute("source", source)) }
        return record
    }
}
