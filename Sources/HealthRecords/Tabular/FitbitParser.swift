public import Foundation

/// Reads the JSON files of a Fitbit account archive (`steps-2018-01-01.json`, `resting_heart_rate.json`,
/// `sleep.json`, `exercise.json`, …): each file is a JSON array, and its name says what it holds.
///
/// Per-minute series (steps, distance, calories, heart rate) become one record per day: the total, or for
/// heart rate the mean with minimum and maximum. Daily series (active minutes, resting heart rate, heart
/// rate zones) become one record per day; sleep logs and exercises one record each.
public struct FitbitParser: Sendable {
    /// The largest file read (it is read whole): 256 MiB.
    public static let maximumFileSize = 256 << 20

    /// Creates a parser.
    public init() {}

    /// Whether a file's name and first bytes look like a Fitbit archive file (a JSON array).
    public static func recognizes(_ url: URL, prefix: Data) -> Bool {
        guard let first = prefix.first(where: { ![0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }) else {
            return false
        }
        return first == UInt8(ascii: "[") && Metric(fileName: url.lastPathComponent) != nil
    }

    /// What a file holds, from its name without the date suffix.
    enum Metric {
        case intraday(title: String, unit: String?, scale: Double, cumulative: Bool)
        case daily(title: String, unit: String?)
        case restingHeartRate
        case heartRateZones
        case sleep
        case exercise

        init?(fileName: String) {
            var stem = (fileName as NSString).deletingPathExtension
            if let range = stem.range(of: #"-\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) {
                stem.removeSubrange(range)
            }
            switch stem {
            case "steps": self = .intraday(title: "Steps", unit: nil, scale: 1, cumulative: true)
            case "distance": self = .intraday(title: "Distance", unit: "m", scale: 0.01, cumulative: true)
            case "calories": self = .intraday(title: "Energy burned", unit: "kcal", scale: 1, cumulative: true)
            case "altitude", "floors": self = .intraday(title: "Floors climbed", unit: nil, scale: 1, cumulative: true)
            case "heart_rate": self = .intraday(title: "Heart rate", unit: "/min", scale: 1, cumulative: false)
            case "lightly_active_minutes": self = .daily(title: "Lightly active minutes", unit: "min")
            case "moderately_active_minutes": self = .daily(title: "Moderately active minutes", unit: "min")
            case "very_active_minutes": self = .daily(title: "Very active minutes", unit: "min")
            case "sedentary_minutes": self = .daily(title: "Sedentary minutes", unit: "min")
            case "resting_heart_rate": self = .restingHeartRate
            case "heart_rate_zones", "time_in_heart_rate_zones": self = .heartRateZones
            case "sleep": self = .sleep
            case "exercise": self = .exercise
            default: return nil
            }
        }
    }

    /// Parses a Fitbit archive JSON file.
    /// - Throws: ``IngestError`` with the JSON path of the first entry that is not as expected.
    public func parse(contentsOf url: URL, displayName: String? = nil) throws -> ParsedSource {
        let name = displayName ?? url.lastPathComponent
        try FileLimits.require(url, atMost: Self.maximumFileSize, file: name)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IngestError(.unreadable, file: name, underlying: error)
        }
        return try parse(data: data, fileName: url.lastPathComponent, displayName: name)
    }

    /// Parses Fitbit JSON from memory; `fileName` says what it holds.
    public func parse(data: Data, fileName: String, displayName name: String) throws -> ParsedSource {
        guard let metric = Metric(fileName: fileName) else {
            throw IngestError(.unsupportedFormat, file: name, expected: "a Fitbit archive file name (steps, sleep, …)")
        }
        let text = try TextDecoding.decodeJSONText(data, file: name)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw IngestError(
                .malformed,
                file: name,
                location: FHIRParser.lineAndColumn(in: error),
                expected: "well-formed JSON (the document is invalid or truncated)",
                underlying: error
            )
        }
        guard let entries = object as? [Any] else {
            throw IngestError(.unexpectedStructure, file: name, location: "$", expected: "a JSON array")
        }
        let nodes = entries.enumerated().map { JSONNode(value: $1, path: "$[\($0)]") }
        let records: [ClinicalRecord]
        switch metric {
        case .intraday(let title, let unit, let scale, let cumulative):
            records = try daily(nodes, file: name, title: title, unit: unit, scale: scale, cumulative: cumulative)
        case .daily(let title, let unit):
            records = try daily(nodes, file: name, title: title, unit: unit, scale: 1, cumulative: true)
        case .restingHeartRate:
            records = try nodes.compactMap { node in
                let date = try dateTime(node, file: name)
                guard let value = node["value"]?["value"]?.double, value > 0 else { return nil }
                return record(
                    "resting-heart-rate",
                    title: "Resting heart rate",
                    kind: .observation,
                    date: date,
                    node: node,
                    file: name,
                    value: Quantity(value: (value * 10).rounded() / 10, unit: "/min")
                )
            }
        case .heartRateZones:
            records = try nodes.map { node in
                let date = try dateTime(node, file: name)
                var result = record(
                    "heart-rate-zones",
                    title: "Time in heart rate zones",
                    kind: .activity,
                    date: date,
                    node: node,
                    file: name
                )
                let zones = (node["value"]?["valuesInZones"]?.value as? [String: Any]) ?? [:]
                for key in zones.keys.sorted() {
                    if let minutes = node["value"]?["valuesInZones"]?[key]?.double {
                        let title = key.replacingOccurrences(of: "_", with: " ").lowercased()
                        result.components.append(
                            RecordComponent(title: title, value: .quantity(Quantity(value: minutes, unit: "min")))
                        )
                    }
                }
                return result
            }
        case .sleep:
            records = try nodes.map { try sleep($0, file: name) }
        case .exercise:
            records = try nodes.map { try exercise($0, file: name) }
        }
        return ParsedSource(file: name, records: records)
    }

    private func dateTime(_ node: JSONNode, file: String, key: String = "dateTime") throws -> Date {
        guard let text = node[key]?.string, let date = TabularDate.fitbit(text) else {
            throw IngestError(
                .missingField,
                file: file,
                location: "\(node.path).\(key)",
                expected: "a date such as 12/31/17 16:42:00"
            )
        }
        return date
    }

    private func number(_ node: JSONNode?) -> Double? {
        if let value = node?.double { return value.isFinite ? value : nil }
        if let text = node?.string { return FiniteNumber.parse(text) }
        if let bpm = node?["bpm"]?.double { return bpm.isFinite ? bpm : nil }
        return nil
    }

    private func daily(
        _ nodes: [JSONNode],
        file: String,
        title: String,
        unit: String?,
        scale: Double,
        cumulative: Bool
    ) throws -> [ClinicalRecord] {
        var days: [String: (date: Date, sum: Double, count: Int, min: Double, max: Double, path: String)] = [:]
        for node in nodes {
            let date = try dateTime(node, file: file)
            guard let value = number(node["value"]) else {
                throw IngestError(.missingField, file: file, location: "\(node.path).value", expected: "a number")
            }
            let day = FHIRDate.day(date)
            var entry = days[day] ?? (FHIRDate.parse(day) ?? date, 0, 0, .infinity, -.infinity, node.path)
            entry.sum += value * scale
            entry.count += 1
            entry.min = min(entry.min, value * scale)
            entry.max = max(entry.max, value * scale)
            days[day] = entry
        }
        let slug = title.lowercased().replacingOccurrences(of: " ", with: "-")
        return days.sorted { $0.key < $1.key }.map { day, entry in
            var result = ClinicalRecord(
                id: RecordID("Fitbit/\(slug)/\(day)"),
                kind: title == "Heart rate" ? .observation : .activity,
                title: title,
                category: title == "Heart rate" ? "vital-signs" : nil,
                date: entry.date,
                provenance: Provenance(sourceFile: file, resourceType: "Fitbit \(slug)", location: entry.path)
            )
            let round = { (value: Double) in (value * 10).rounded() / 10 }
            if cumulative {
                result.value = .quantity(Quantity(value: round(entry.sum), unit: unit))
                if entry.count > 1 {
                    result.attributes.append(RecordAttribute("aggregation", "daily total of \(entry.count) readings"))
                }
            } else {
                result.value = .quantity(Quantity(value: round(entry.sum / Double(entry.count)), unit: unit))
                result.components = [
                    RecordComponent(title: "minimum", value: .quantity(Quantity(value: round(entry.min), unit: unit))),
                    RecordComponent(title: "maximum", value: .quantity(Quantity(value: round(entry.max), unit: unit))),
                ]
                result.attributes.append(RecordAttribute("aggregation", "daily mean of \(entry.count) readings"))
            }
            result.attributes.append(RecordAttribute("source", "Fitbit"))
            return result
        }
    }

    private func record(
        _ slug: String,
        title: String,
        kind: RecordKind,
        date: Date,
        node: JSONNode,
        file: String,
        value: Quantity? = nil
    ) -> ClinicalRecord {
        var result = ClinicalRecord(
            id: RecordID("Fitbit/\(slug)/\(FHIRDate.day(date))"),
            kind: kind,
            title: title,
            category: kind == .observation ? "vital-signs" : nil,
            date: date,
            value: value.map(RecordValue.quantity),
            provenance: Provenance(sourceFile: file, resourceType: "Fitbit \(slug)", location: node.path)
        )
        result.attributes.append(RecordAttribute("source", "Fitbit"))
        return result
    }

    private func sleep(_ node: JSONNode, file: String) throws -> ClinicalRecord {
        guard let startText = node["startTime"]?.string, let start = FHIRDate.parse(startText) else {
            throw IngestError(.missingField, file: file, location: "\(node.path).startTime", expected: "a start time")
        }
        var result = record("sleep", title: "Sleep", kind: .activity, date: start, node: node, file: file)
        if let id = node["logId"]?.double { result.id = RecordID("Fitbit/sleep/\(Int64(id))") }
        result.category = "sleep"
        result.endDate = node["endTime"]?.string.flatMap(FHIRDate.parse)
        if let asleep = node["minutesAsleep"]?.double {
            result.value = .quantity(Quantity(value: asleep, unit: "min"))
        }
        let summary = node["levels"]?["summary"]
        for stage in ["deep", "light", "rem", "wake", "asleep", "restless", "awake"] {
            if let minutes = summary?[stage]?["minutes"]?.double {
                result.components.append(
                    RecordComponent(title: stage, value: .quantity(Quantity(value: minutes, unit: "min")))
                )
            }
        }
        for (key, name, unit) in [
            ("timeInBed", "time in bed", "min"), ("efficiency", "efficiency", "%"),
            ("minutesAwake", "minutes awake", "min"),
        ] {
            if let value = node[key]?.double {
                result.attributes.append(RecordAttribute(name, Quantity(value: value, unit: unit).description))
            }
        }
        return result
    }

    private func exercise(_ node: JSONNode, file: String) throws -> ClinicalRecord {
        let start = try dateTime(node, file: file, key: "startTime")
        let name = node["activityName"]?.string ?? "Exercise"
        var result = record("exercise", title: name, kind: .workout, date: start, node: node, file: file)
        if let id = node["logId"]?.double { result.id = RecordID("Fitbit/exercise/\(Int64(id))") }
        if let duration = node["activeDuration"]?.double ?? node["duration"]?.double {
            let minutes = (duration / 60_000 * 10).rounded() / 10
            result.value = .quantity(Quantity(value: minutes, unit: "min"))
            result.endDate = start.addingTimeInterval(duration / 1000)
        }
        for (key, title, unit) in [
            ("calories", "Energy burned", "kcal"), ("steps", "Steps", nil),
            ("averageHeartRate", "Average heart rate", "/min"),
            ("distance", "Distance", node["distanceUnit"]?.string), ("elevationGain", "Elevation gain", "m"),
        ] {
            if let value = node[key]?.double {
                result.components.append(
                    RecordComponent(title: title, value: .quantity(Quantity(value: value, unit: unit)))
                )
            }
        }
        if let logType = node["logType"]?.string { result.attributes.append(RecordAttribute("logged", logType)) }
        return result
    }
}
