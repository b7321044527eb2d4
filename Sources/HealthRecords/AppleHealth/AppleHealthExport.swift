import Foundation

/// What an export.xml has yielded so far: summaries in the making, workouts, activity, profile.
struct AppleHealthExport {
    let file: String
    private var aggregator = DailySampleAggregator()
    private var records: [ClinicalRecord] = []
    private var skipped: [String: Int] = [:]
    private var dropped = 0
    private var workoutCount = 0
    private(set) var clinicalRecordPaths: [String] = []

    init(file: String) {
        self.file = file
    }

    mutating func addSample(_ attributes: [String: String], line: Int) {
        guard let type = attributes["type"], let start = attributes["startDate"].flatMap(AppleHealthDate.init) else {
            skipped["Record without type or startDate", default: 0] += 1
            return
        }
        let source = attributes["sourceName"] ?? "unknown source"
        if type.hasPrefix("HKCategoryTypeIdentifier") {
            let end = attributes["endDate"].flatMap(AppleHealthDate.init) ?? start
            let seconds = (end.day - start.day) * 86_400 + end.secondOfDay - start.secondOfDay
            let value = attributes["value"] ?? "recorded"
            aggregator.add(
                type: type,
                source: source,
                unit: "min",
                hour: start.hour,
                value: Double(max(seconds, 0)) / 60,
                categoryValue: value
            )
        } else if let value = attributes["value"].flatMap(FiniteNumber.parse) {
            aggregator.add(
                type: type,
                source: source,
                unit: attributes["unit"],
                hour: start.hour,
                value: value,
                categoryValue: nil
            )
        } else {
            skipped[type, default: 0] += 1
        }
    }

    mutating func addWorkout(_ workout: AppleHealthWorkout) {
        workoutCount += 1
        records.append(workout.record(file: file, ordinal: workoutCount))
    }

    mutating func addActivitySummary(_ attributes: [String: String], line: Int) {
        guard let day = attributes["dateComponents"] else { return }
        var record = ClinicalRecord(
            id: RecordID("AppleHealth/ActivitySummary/\(day)"),
            kind: .activity,
            title: "Activity rings",
            date: FHIRDate.parse(day),
            provenance: Provenance(sourceFile: file, resourceType: "ActivitySummary", location: "line \(line)")
        )
        let rings: [(String, String, String, String?)] = [
            (
                "Move (active energy)", "activeEnergyBurned", "activeEnergyBurnedGoal",
                attributes["activeEnergyBurnedUnit"]
            ),
            ("Move time", "appleMoveTime", "appleMoveTimeGoal", "min"),
            ("Exercise", "appleExerciseTime", "appleExerciseTimeGoal", "min"),
            ("Stand", "appleStandHours", "appleStandHoursGoal", "h"),
        ]
        for (title, valueKey, goalKey, unit) in rings {
            guard let value = attributes[valueKey].flatMap(Double.init) else { continue }
            let rounded = (value * 10).rounded() / 10
            var component = RecordComponent(title: title, value: .quantity(Quantity(value: rounded, unit: unit)))
            if let goal = attributes[goalKey].flatMap(Double.init) {
                component.title += " (goal \(Quantity(value: goal, unit: unit)))"
            }
            record.components.append(component)
        }
        records.append(record)
    }

    mutating func addProfile(_ attributes: [String: String], line: Int) {
        var record = ClinicalRecord(
            id: RecordID("AppleHealth/Me"),
            kind: .patient,
            title: "Health app profile",
            date: attributes["HKCharacteristicTypeIdentifierDateOfBirth"].flatMap(FHIRDate.parse),
            provenance: Provenance(sourceFile: file, resourceType: "Me", location: "line \(line)")
        )
        let fields = [
            ("sex", "HKCharacteristicTypeIdentifierBiologicalSex", "HKBiologicalSex"),
            ("blood type", "HKCharacteristicTypeIdentifierBloodType", "HKBloodType"),
            ("skin type", "HKCharacteristicTypeIdentifierFitzpatrickSkinType", "HKFitzpatrickSkinType"),
        ]
        for (name, key, prefix) in fields {
            guard let value = attributes[key], !value.hasSuffix("NotSet") else { continue }
            record.attributes.append(
                RecordAttribute(name, String(value.dropFirst(value.hasPrefix(prefix) ? prefix.count : 0)))
            )
        }
        records.append(record)
    }

    mutating func addClinicalRecordReference(_ attributes: [String: String]) {
        if let path = attributes["resourceFilePath"] {
            clinicalRecordPaths.append(path)
        } else {
            skipped["ClinicalRecord without resourceFilePath", default: 0] += 1
        }
    }

    mutating func skip(_ element: String) {
        skipped[element, default: 0] += 1
    }

    /// Reads the clinical records' FHIR files (path as in export.xml, and its bytes when found).
    mutating func addClinicalRecords(_ files: [(path: String, data: Data?)]) throws {
        for (index, (path, data)) in files.enumerated() {
            guard let data else {
                skipped["ClinicalRecord file missing from the export", default: 0] += 1
                continue
            }
            // Named by position: the path is the file's own text.
            let parsed = try FHIRParser().parse(data: data, displayName: "\(file) clinical record \(index + 1)")
            for var record in parsed.records {
                record.provenance.sourceFile = file
                record.provenance.location = path
                records.append(record)
            }
            for (type, count) in parsed.skippedTypes { skipped[type, default: 0] += count }
            dropped += parsed.droppedCount
        }
    }

    /// The records: summaries first (by type and day), then workouts, activity and clinical records.
    func finish() -> ParsedSource {
        var summaries: [ClinicalRecord] = []
        for summary in aggregator.summaries() {
            summaries.append(Self.record(for: summary, file: file))
        }
        return ParsedSource(file: file, records: summaries + records, skippedTypes: skipped, droppedCount: dropped)
            .uniquingRecordIDs()
    }

    static func record(for summary: DailySampleAggregator.DailySummary, file: String) -> ClinicalRecord {
        let dayText = FHIRDate.day(AppleHealthDate.midnight(ofDay: summary.day))
        let (kind, category) =
            summary.categoryValue == nil ? AppleHealthTypes.kindAndCategory(summary.type) : (RecordKind.activity, nil)
        var title = AppleHealthTypes.displayName(summary.type)
        if let value = summary.categoryValue {
            title += ": " + AppleHealthTypes.displayName(Self.categoryValueName(value, type: summary.type))
        }
        let total = summary.total
        var summary = summary
        // HealthKit writes counts as `count` and rates as `count/min`; UCUM writes `1` and `/min`.
        if summary.unit == "count" { summary.unit = nil }
        if summary.unit == "count/min" { summary.unit = "/min" }
        var record = ClinicalRecord(
            id: RecordID(
                "AppleHealth/\(summary.type)/\(summary.categoryValue.map { $0 + "/" } ?? "")\(dayText)"
            ),
            kind: kind,
            title: title,
            codes: AppleHealthTypes.codes(summary.type),
            category: category,
            date: AppleHealthDate.midnight(ofDay: summary.day),
            provenance: Provenance(sourceFile: file, resourceType: summary.type, location: "daily summary \(dayText)")
        )
        func rounded(_ value: Double) -> Double {
            abs(value) >= 100 ? value.rounded() : (value * 100).rounded() / 100
        }
        let cumulative = summary.categoryValue != nil || AppleHealthTypes.isCumulative(summary.type)
        if cumulative {
            record.value = .quantity(Quantity(value: rounded(total.sum), unit: summary.unit))
            record.attributes.append(
                RecordAttribute(
                    "aggregation",
                    summary.categoryValue == nil
                        ? "daily total of \(total.count) samples" : "daily total of \(total.count) periods"
                )
            )
        } else if total.count == 1 {
            record.value = .quantity(Quantity(value: rounded(total.sum), unit: summary.unit))
        } else {
            record.value = .quantity(Quantity(value: rounded(total.sum / Double(total.count)), unit: summary.unit))
            record.components = [
                RecordComponent(
                    title: "minimum",
                    value: .quantity(Quantity(value: rounded(total.minimum), unit: summary.unit))
                ),
                RecordComponent(
                    title: "maximum",
                    value: .quantity(Quantity(value: rounded(total.maximum), unit: summary.unit))
                ),
            ]
            record.attributes.append(RecordAttribute("aggregation", "daily mean of \(total.count) samples"))
        }
        record.attributes.append(RecordAttribute("source", summary.sources.joined(separator: ", ")))
        if summary.discardedSamples > 0 {
            record.attributes.append(
                RecordAttribute("overlapping samples not counted", "\(summary.discardedSamples) (from other devices)")
            )
        }
        return record
    }

    /// `HKCategoryValueSleepAnalysisAsleepCore` → `AsleepCore`.
    static func categoryValueName(_ value: String, type: String) -> String {
        let suffix = type.replacingOccurrences(of: "HKCategoryTypeIdentifier", with: "")
        for prefix in ["HKCategoryValue" + suffix, "HKCategoryValue"] where value.hasPrefix(prefix) {
            let rest = String(value.dropFirst(prefix.count))
            return rest.isEmpty ? value : rest
        }
        return value
    }
}
