import Foundation

/// How a multi-component observation reads, decided by its components' codes, never by their order in
/// the file: FHIR lets a blood pressure list diastolic first (Synthea does), so "the first value over
/// the second" prints 96/157 for a reading of 157/96.
///
/// A blood pressure is shown as `systolic/diastolic unit` when both parts are identified by code
/// (LOINC, SNOMED CT) or, when a component has no code, by its own name. Every other component keeps
/// its own name: nothing is guessed from position.
public enum ComponentReading {
    /// A component's part in a blood pressure.
    public enum Part: Sendable, Hashable {
        case systolic
        case diastolic
    }

    /// LOINC and SNOMED CT codes of systolic pressures (any position or method).
    static let systolicCodes: Set<String> = [
        "8480-6", "8459-0", "8460-8", "8461-6", "8479-8", "8508-4", "8546-4", "11378-7", "76534-7", "75997-7",
        "271649006", "72313002", "407554009", "407556006",
    ]
    /// LOINC and SNOMED CT codes of diastolic pressures.
    static let diastolicCodes: Set<String> = [
        "8462-4", "8453-3", "8454-1", "8455-8", "8496-2", "8547-2", "11377-9", "76535-4", "75995-1",
        "271650006", "1091811000000102", "407555005", "407557002",
    ]

    /// The part a component plays, from its codes, else from its own name; nil when it is neither.
    public static func part(of component: RecordComponent) -> Part? {
        let relevant = component.codes.filter { $0.system == .loinc || $0.system == .snomedCT }
        for code in relevant {
            if systolicCodes.contains(code.code) { return .systolic }
            if diastolicCodes.contains(code.code) { return .diastolic }
        }
        // A coded component whose codes are not blood-pressure codes is not one, whatever its name.
        if !relevant.isEmpty { return nil }
        let name = component.title.lowercased()
        let systolic = name.contains("systolic") || name.contains("systolique") || name.contains("sistólica")
        let diastolic = name.contains("diastolic") || name.contains("diastolique") || name.contains("diastólica")
        if systolic != diastolic { return systolic ? .systolic : .diastolic }
        return nil
    }

    /// The systolic and diastolic components, when exactly one of each is identified.
    public static func bloodPressure(
        in components: [RecordComponent]
    ) -> (systolic: RecordComponent, diastolic: RecordComponent)? {
        let systolic = components.filter { part(of: $0) == .systolic }
        let diastolic = components.filter { part(of: $0) == .diastolic }
        guard systolic.count == 1, diastolic.count == 1 else { return nil }
        return (systolic[0], diastolic[0])
    }

    /// `157/96 mm[Hg]` when the components hold one systolic and one diastolic quantity in one unit
    /// (or a unit on one side only); nil otherwise.
    public static func bloodPressureText(of components: [RecordComponent]) -> String? {
        guard let pair = bloodPressure(in: components),
            let systolic = pair.systolic.value?.quantity, let diastolic = pair.diastolic.value?.quantity
        else { return nil }
        if let one = systolic.unit, let other = diastolic.unit, one != other { return nil }
        let unit = systolic.unit ?? diastolic.unit
        let numbers = "\(Quantity(value: systolic.value).description)/\(Quantity(value: diastolic.value).description)"
        return unit.map { "\(numbers) \($0)" } ?? numbers
    }

    /// The components in reading order: systolic, then diastolic, then the others in their file order.
    public static func ordered(_ components: [RecordComponent]) -> [RecordComponent] {
        guard bloodPressure(in: components) != nil else { return components }
        let rank: (RecordComponent) -> Int = { component in
            switch part(of: component) {
            case .systolic: 0
            case .diastolic: 1
            case nil: 2
            }
        }
        return components.enumerated()
            .sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
            .map(\.element)
    }

    /// A record's value in one line: the blood pressure as `systolic/diastolic`, else the record's own
    /// value with its components named (`72 count/min (minimum 58, maximum 131)`), else each component
    /// with its name.
    public static func valueText(of record: ClinicalRecord) -> String {
        var text: String
        if let pressure = bloodPressureText(of: record.components) {
            text = pressure
            let others = record.components.filter { part(of: $0) == nil }
            if !others.isEmpty { text += " (" + named(others) + ")" }
            if let value = record.value { text = "\(value); " + text }
        } else if let value = record.value {
            text = value.description
            if !record.components.isEmpty { text += " (" + named(record.components) + ")" }
        } else if !record.components.isEmpty {
            text = named(record.components)
        } else {
            return "no value"
        }
        if let flag = record.interpretation, flag != "N" { text += " (\(flag))" }
        return text
    }

    private static func named(_ components: [RecordComponent]) -> String {
        components.map { "\($0.title) \($0.value?.description ?? "no value")" }.joined(separator: ", ")
    }
}
