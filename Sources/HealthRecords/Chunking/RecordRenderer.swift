import Foundation

/// Renders a record as readable text: what it is, its value, dates, status, codes, and details.
public enum RecordRenderer {
    /// The record as a few plain lines, suitable for embedding, search, and an LLM's context.
    public static func text(for record: ClinicalRecord) -> String {
        var lines: [String] = []
        var headline = "\(heading(for: record)): \(record.title)"
        if record.assertion == .absent { headline = "\(heading(for: record)) (stated absent): \(record.title)" }
        if let value = record.value {
            headline += " = \(value)"
            if let flag = record.interpretation { headline += " (\(flag))" }
        } else if let pressure = ComponentReading.bloodPressureText(of: record.components) {
            // Read by the components' codes: a file may list diastolic first.
            headline += " = \(pressure)"
            if let flag = record.interpretation { headline += " (\(flag))" }
        }
        lines.append(headline)
        for component in ComponentReading.ordered(record.components) {
            var line = "- \(component.title)"
            if let value = component.value { line += ": \(value)" }
            if let flag = component.interpretation { line += " (\(flag))" }
            if let range = component.referenceRange?.description, !range.isEmpty { line += " [normal \(range)]" }
            lines.append(line)
        }
        if let range = record.referenceRange?.description, !range.isEmpty { lines.append("Normal range: \(range)") }
        var when: [String] = []
        if let date = record.date { when.append(dateLabel(for: record.kind) + " " + FHIRDate.day(date)) }
        if let end = record.endDate { when.append(endLabel(for: record.kind) + " " + FHIRDate.day(end)) }
        if let status = record.status { when.append("status \(status)") }
        if let category = record.category, record.kind == .observation || record.kind == .allergy {
            when.append("category \(category)")
        }
        if !when.isEmpty { lines.append(when.joined(separator: "; ")) }
        for attribute in record.attributes where !hiddenAttributes.contains(attribute.name) {
            if attribute.name == "verification" && attribute.value == "confirmed" { continue }
            lines.append("\(attribute.name.capitalized): \(attribute.value)")
        }
        if !record.codes.isEmpty {
            lines.append("Codes: " + record.codes.prefix(4).map(\.description).joined(separator: ", "))
        }
        if let text = record.text, !text.isEmpty { lines.append(text) }
        return lines.joined(separator: "\n")
    }

    /// Attributes that are links or bookkeeping, not facts a reader needs.
    static let hiddenAttributes: Set<String> = ["subject", "result"]

    static func heading(for record: ClinicalRecord) -> String {
        switch record.kind {
        case .observation:
            switch record.category {
            case "laboratory": "Lab result"
            case "vital-signs": "Vital sign"
            case "social-history": "Social history"
            case "survey": "Survey"
            default: "Observation"
            }
        case .medication: "Medication"
        case .condition: "Condition"
        case .allergy: "Allergy"
        case .note: "Clinical note"
        default: record.kind.displayName.capitalized
        }
    }

    static func dateLabel(for kind: RecordKind) -> String {
        switch kind {
        case .patient: "born"
        case .condition, .allergy: "onset"
        case .medication: "prescribed"
        case .immunization: "given"
        case .encounter, .procedure, .carePlan, .workout: "from"
        default: "on"
        }
    }

    static func endLabel(for kind: RecordKind) -> String {
        switch kind {
        case .patient: "died"
        case .condition, .allergy: "resolved"
        default: "until"
        }
    }
}
