/// The answer checks.
public enum AnswerCheck: String, Hashable, Sendable, Codable, CaseIterable {
    /// A diagnosis stated as fact ("you have pneumonia").
    case diagnosisAsFact = "diagnosis-as-fact"
    /// Advice to start, stop or change a medication or its dose.
    case medicationChange = "medication-change"
    /// Dosing instructions ("take 400 mg every 6 hours").
    case dosingInstruction = "dosing-instruction"
    /// Reassurance that contradicts an urgent or higher triage level.
    case falseReassurance = "false-reassurance"
    /// The escalation the triage level requires is missing.
    case missingEscalation = "missing-escalation"
    /// A number or drug name about the person that the cited evidence does not contain.
    case unsupportedClaim = "unsupported-claim"
}

/// Why an answer needs revising or escalating, and where.
public struct AnswerReason: Hashable, Sendable, Codable {
    /// Which check.
    public var check: AnswerCheck
    /// The span in the answer (empty at the end for something missing).
    public var span: TextSpan
    /// What is wrong, in words that quote no health data.
    public var detail: String
    /// Text to add to the answer, if any.
    public var textToAdd: String?
    /// Whether this reason alone calls for escalation.
    public var escalates: Bool

    /// Creates a reason.
    public init(check: AnswerCheck, span: TextSpan, detail: String, textToAdd: String? = nil, escalates: Bool = false) {
        self.check = check
        self.span = span
        self.detail = detail
        self.textToAdd = textToAdd
        self.escalates = escalates
    }
}

/// The verdict on a draft answer.
public struct AnswerVerdict: Hashable, Sendable, Codable {
    /// What to do with the answer.
    public enum Decision: String, Hashable, Sendable, Codable {
        /// Send it as is.
        case allow
        /// Revise it: see the reasons and the text to add.
        case revise
        /// Replace or lead it with the escalation message.
        case escalate
    }

    /// What to do.
    public var decision: Decision
    /// Why, each pointing at a span in the answer.
    public var reasons: [AnswerReason]
    /// The escalation message, when escalating.
    public var escalation: String?
    /// Set when rules in use await clinical review.
    public var reviewNotice: String?

    /// Creates a verdict.
    public init(decision: Decision, reasons: [AnswerReason], escalation: String?, reviewNotice: String?) {
        self.decision = decision
        self.reasons = reasons
        self.escalation = escalation
        self.reviewNotice = reviewNotice
    }

    /// The checks that flagged the answer.
    public var flaggedChecks: Set<AnswerCheck> { Set(reasons.map(\.check)) }
}
