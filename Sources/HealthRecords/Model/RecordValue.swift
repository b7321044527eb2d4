import Foundation

/// A measured quantity: a number with its unit.
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The number.
    public var value: Double
    /// The unit as written (`mmol/L`, `mm[Hg]`, `%`), when there is one.
    public var unit: String?
    /// A comparator (`<`, `<=`, `>=`, `>`) when the value is a bound.
    public var comparator: String?

    /// Creates a quantity.
    public init(value: Double, unit: String? = nil, comparator: String? = nil) {
        self.value = value
        self.unit = unit
        self.comparator = comparator
    }

    /// `6.4 mmol/L`, with integers written without a decimal point.
    public var description: String {
        let number =
            value.rounded() == value && abs(value) < 1e15
            ? String(Int64(value)) : String(format: "%g", value)
        return [comparator.map { $0 + number } ?? number, unit].compactMap(\.self).joined(separator: " ")
    }
}

/// The value of an observation or sample.
public enum RecordValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case quantity(Quantity)
    case text(String)
    case coded(ClinicalCode)
    case boolean(Bool)

    public var description: String {
        switch self {
        case .quantity(let quantity): quantity.description
        case .text(let text): text
        case .coded(let code): code.display ?? code.description
        case .boolean(let flag): flag ? "yes" : "no"
        }
    }

    /// The quantity, when the value is one.
    public var quantity: Quantity? {
        if case .quantity(let quantity) = self { return quantity }
        return nil
    }
}

/// One component of a composite observation (the systolic part of a blood pressure).
public struct RecordComponent: Hashable, Sendable, Codable {
    /// What the component is.
    public var title: String
    /// Its codes.
    public var codes: [ClinicalCode]
    /// Its value.
    public var value: RecordValue?
    /// Its own normal range.
    public var referenceRange: ReferenceRange?
    /// Its own interpretation flag.
    public var interpretation: String?

    /// Creates a component.
    public init(
        title: String,
        codes: [ClinicalCode] = [],
        value: RecordValue? = nil,
        referenceRange: ReferenceRange? = nil,
        interpretation: String? = nil
    ) {
        self.title = title
        self.codes = codes
        self.value = value
        self.referenceRange = referenceRange
        self.interpretation = interpretation
    }
}

/// A normal range: low and high bounds, or a text.
public struct ReferenceRange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The lower bound.
    public var low: Quantity?
    /// The upper bound.
    public var high: Quantity?
    /// The range as text, when the source gives it that way.
    public var text: String?

    /// Creates a range.
    public init(low: Quantity? = nil, high: Quantity? = nil, text: String? = nil) {
        self.low = low
        self.high = high
        self.text = text
    }

    /// `3.5–5.1 mmol/L`, `< 5.7 %`, or the text.
    public var description: String {
        switch (low, high) {
        case (let low?, let high?):
            let lowText = Quantity(value: low.value).description
            return "\(lowText)–\(high.description)"
        case (let low?, nil): return "≥ \(low.description)"
        case (nil, let high?): return "≤ \(high.description)"
        case (nil, nil): return text ?? ""
        }
    }
}
