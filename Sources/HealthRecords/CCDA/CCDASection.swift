/// The C-CDA sections HealthRecords reads entries from, by their LOINC section code.
enum CCDASection: Equatable {
    case allergies
    case medications
    case problems
    case results
    case vitalSigns
    case immunizations
    case procedures
    case encounters
    case planOfCare
    case socialHistory
    case familyHistory
    case goals
    case healthConcerns
    case functionalStatus
    case narrative

    /// The section a LOINC section code names; sections without modelled entries are `.narrative`.
    init(loincCode: String?) {
        switch loincCode {
        case "48765-2": self = .allergies
        case "10160-0", "10183-2", "42346-7", "29549-3": self = .medications
        case "11450-4", "11535-2", "46241-6", "11348-0": self = .problems
        case "30954-2": self = .results
        case "8716-3": self = .vitalSigns
        case "11369-6": self = .immunizations
        case "47519-4", "29554-3", "59772-4": self = .procedures
        case "46240-8": self = .encounters
        case "18776-5": self = .planOfCare
        case "29762-2": self = .socialHistory
        case "10157-6": self = .familyHistory
        case "61146-7": self = .goals
        case "75310-3": self = .healthConcerns
        case "47420-5", "10190-7": self = .functionalStatus
        default: self = .narrative
        }
    }

    /// The observation category records from this section carry.
    var observationCategory: String? {
        switch self {
        case .results: "laboratory"
        case .vitalSigns: "vital-signs"
        case .socialHistory: "social-history"
        case .functionalStatus: "functional-status"
        default: nil
        }
    }
}
