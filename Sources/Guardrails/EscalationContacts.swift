import Foundation

/// The numbers to call in one locale, chosen by configuration.
public struct EscalationContacts: Hashable, Sendable, Codable {
    /// The language of the messages (`en`, `fr`, `es`).
    public var language: String
    /// Emergency services (`911`, `112`, `15`, `999`).
    public var emergency: String
    /// A suicide and crisis line (`988`, `3114`, `024`, `116 123`).
    public var crisis: String
    /// Same-day advice, when the locale has one (`111` in the UK).
    public var urgentAdvice: String?
    /// The message for an emergency, with `{emergency}` filled in.
    public var emergencyMessage: String
    /// The message for a crisis, with `{crisis}` and `{emergency}` filled in.
    public var crisisMessage: String
    /// The message for an urgent level.
    public var urgentMessage: String
    /// What to say when the message describes symptoms that no rule places (the safe default), with
    /// `{symptoms}` filled in with their names; English words when the locale has none.
    public var unplacedMessage: String?

    /// Creates contacts.
    public init(
        language: String,
        emergency: String,
        crisis: String,
        urgentAdvice: String? = nil,
        emergencyMessage: String,
        crisisMessage: String,
        urgentMessage: String,
        unplacedMessage: String? = nil
    ) {
        self.language = language
        self.emergency = emergency
        self.crisis = crisis
        self.urgentAdvice = urgentAdvice
        self.emergencyMessage = emergencyMessage
        self.crisisMessage = crisisMessage
        self.urgentMessage = urgentMessage
        self.unplacedMessage = unplacedMessage
    }

    enum CodingKeys: String, CodingKey {
        case language, emergency, crisis
        case urgentAdvice = "urgent-advice"
        case emergencyMessage = "emergency-message"
        case crisisMessage = "crisis-message"
        case urgentMessage = "urgent-message"
        case unplacedMessage = "unplaced-message"
    }

    /// The safe default's message: these symptoms were not recognized, so a clinician should hear of them.
    public func unplacedMessage(symptoms: [String]) -> String {
        let template =
            unplacedMessage
            ?? "These rules do not recognize everything you describe ({symptoms}), so they cannot tell how urgent it "
            + "is: please talk to a doctor, nurse or pharmacist about it soon. If it gets worse, call {emergency}."
        return
            template
            .replacingOccurrences(of: "{symptoms}", with: symptoms.joined(separator: ", "))
            .replacingOccurrences(of: "{emergency}", with: emergency)
    }

    /// The escalation message for `level`, or nil below urgent.
    public func message(for level: TriageLevel) -> String? {
        let template: String
        switch level {
        case .emergency: template = emergencyMessage
        case .crisis: template = crisisMessage
        case .urgent: template = urgentMessage
        case .routine, .selfCare: return nil
        }
        return
            template
            .replacingOccurrences(of: "{emergency}", with: emergency)
            .replacingOccurrences(of: "{crisis}", with: crisis)
            .replacingOccurrences(of: "{urgent}", with: urgentAdvice ?? emergency)
    }

    /// The numbers an answer at `level` should mention (any one of them is enough).
    public func numbers(for level: TriageLevel) -> [String] {
        switch level {
        case .emergency: [emergency]
        case .crisis: [crisis, emergency]
        case .urgent: urgentAdvice.map { [$0] } ?? []
        case .routine, .selfCare: []
        }
    }
}
