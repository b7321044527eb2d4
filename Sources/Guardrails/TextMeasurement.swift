import Foundation

/// A value written in a message ("temp 40.2", "104°F", "SpO2 88%", "BP 190/120", "sugar 35",
/// "INR 7.5", "a 3-month-old"), normalized to one unit per measure.
public struct TextMeasurement: Hashable, Sendable, Codable {
    /// The quantity, and the unit its values are normalized to.
    public enum Measure: String, Hashable, Sendable, Codable, CaseIterable {
        /// Body temperature in °C (°F converted).
        case temperature
        /// Oxygen saturation in %.
        case oxygenSaturation = "oxygen-saturation"
        /// Heart rate per minute.
        case heartRate = "heart-rate"
        /// Breaths per minute.
        case respiratoryRate = "respiratory-rate"
        /// Systolic blood pressure in mmHg.
        case systolicPressure = "systolic-pressure"
        /// Diastolic blood pressure in mmHg.
        case diastolicPressure = "diastolic-pressure"
        /// Blood glucose in mg/dL (mmol/L converted).
        case glucose
        /// INR.
        case inr
        /// Blood or urine ketones in mmol/L.
        case ketones
        /// HbA1c in % (mmol/mol converted).
        case hba1c
        /// Age in years (months, weeks and days as fractions).
        case age
    }

    /// The quantity.
    public var measure: Measure
    /// The value in the measure's unit.
    public var value: Double
    /// Where in the text (UTF-16 offsets).
    public var span: TextSpan
}

/// Reads ``TextMeasurement``s from a message: patterns for each measure's names and units in English,
/// French and Spanish, and plausibility ranges that drop what cannot be that measure.
struct MeasurementReader: Sendable {
    private struct Reader: Sendable {
        let measure: TextMeasurement.Measure
        let pattern: CompiledPattern
        /// Turns the match's captured groups into values; nil drops the match.
        let values: @Sendable ([String?]) -> [(TextMeasurement.Measure, Double)]
    }

    private let readers: [Reader]

    init() {
        func make(_ source: String) -> CompiledPattern {
            // Fixed expressions written and tested with the module; they compile.
            do { return try CompiledPattern(source, location: "MeasurementReader") } catch { fatalError("\(error)") }
        }
        let decimal = #"(\d{1,3}(?:[.,]\d{1,2})?)"#
        readers = [
            // "temp 40.2", "temperature of 104", "fever of 39,5", "fièvre à 40", "fiebre de 39"
            Reader(
                measure: .temperature,
                pattern: make(
                    #"\b(?:temp(?:erature)?|fever|febrile|t°|thermometer|thermom[eè]tre|term[oó]metro|fièvre|température|fiebre|temperatura)\b[^\d\n.!?]{0,18}"#
                        + decimal + #"\s*(?:°|º|degrees?|deg|grados|degrés)?\s*([cf](?![a-z]))?"#
                ),
                values: { groups in
                    guard let value = Self.number(groups[0]) else { return [] }
                    return Self.temperature(value, unit: groups[1]).map { [(.temperature, $0)] } ?? []
                }
            ),
            // "39.8°C", "104 °F", "40 degrees", "103F"
            Reader(
                measure: .temperature,
                pattern: make(
                    decimal + #"\s*(?:°\s*|º\s*|degrees?\s*|deg\s*)([cf](?![a-z]))?|"# + decimal + #"([cf])\b"#
                ),
                values: { groups in
                    let value = Self.number(groups[0]) ?? Self.number(groups[2])
                    let unit = groups[1] ?? groups[3]
                    guard let value else { return [] }
                    return Self.temperature(value, unit: unit).map { [(.temperature, $0)] } ?? []
                }
            ),
            // "SpO2 88%", "sats 89", "oxygen saturation of 90", "o2 is 87%", "saturación 88"
            Reader(
                measure: .oxygenSaturation,
                pattern: make(
                    #"\b(?:spo2|sp02|sao2|o2 sat\w*|sats?|oxygen(?: saturation| level| sat\w*)?|saturation|satur[aá]ci[oó]n|oxyg[eè]ne|ox[ií]geno|pulse ox\w*)\b[^\d\n.!?]{0,18}(\d{2,3})\s*%?"#
                ),
                values: Self.firstNumber(as: .oxygenSaturation, in: 50...100)
            ),
            // "HR 140", "pulse is 130", "heart rate of 45", "pouls à 150", "pulso 140", "140 bpm"
            Reader(
                measure: .heartRate,
                pattern: make(
                    #"\b(?:hr|heart ?rate|pulse|pouls|pulso|fc|fr[ée]quence cardiaque|frecuencia card[ií]aca)\b[^\d\n.!?]{0,15}(\d{2,3})\b|\b(\d{2,3})\s*(?:bpm|beats (?:per|a|/) ?min\w*|lpm|latidos)"#
                ),
                values: Self.firstNumber(as: .heartRate, in: 20...260)
            ),
            // "RR 32", "respiratory rate 30", "breathing 40 times a minute"
            Reader(
                measure: .respiratoryRate,
                pattern: make(
                    #"\b(?:rr|resp(?:iratory)? rate|breathing rate|fr)\b[^\d\n.!?]{0,12}(\d{1,2})\b|\b(\d{1,2})\s*(?:breaths (?:per|a|/) ?min\w*|respirations)"#
                ),
                values: Self.firstNumber(as: .respiratoryRate, in: 4...90)
            ),
            // "BP 190/120", "blood pressure is 85/50", "tension 18/11" is not read (cmHg), "170/110 mmHg"
            Reader(
                measure: .systolicPressure,
                pattern: make(
                    #"\b(?:bp|blood pressure|pressure|tension|ta|pa|presi[oó]n(?: arterial)?)\b[^\d\n.!?]{0,15}(\d{2,3})\s*/\s*(\d{2,3})\b|\b(\d{2,3})\s*/\s*(\d{2,3})\s*(?:mm ?hg)"#
                ),
                values: { groups in
                    guard let systolic = Self.number(groups[0]) ?? Self.number(groups[2]),
                        let diastolic = Self.number(groups[1]) ?? Self.number(groups[3]),
                        (50...300).contains(systolic), (20...200).contains(diastolic), systolic > diastolic
                    else { return [] }
                    return [(.systolicPressure, systolic), (.diastolicPressure, diastolic)]
                }
            ),
            // "glucose 35", "sugar is 600", "blood sugar 2.1 mmol", "glycémie à 0,5 g/l", "glucosa 40"
            Reader(
                measure: .glucose,
                pattern: make(
                    #"\b(?:glucose|sugars?|bg|bsl|cbg|glyc[ée]mie|glucosa|glucemia|az[uú]car|dextro)\b[^\d\n.!?]{0,40}"#
                        + decimal + #"\s*(mg/?dl|mmol(?:/l)?|g/l)?"#
                ),
                values: { groups in
                    guard let value = Self.number(groups[0]) else { return [] }
                    let unit = groups[1]?.lowercased() ?? ""
                    let milligrams: Double
                    if unit.hasPrefix("mmol") || (unit.isEmpty && value < 30) {
                        milligrams = value * 18
                    } else if unit == "g/l" {
                        milligrams = value * 100
                    } else {
                        milligrams = value
                    }
                    guard (5...2_000).contains(milligrams) else { return [] }
                    return [(.glucose, milligrams)]
                }
            ),
            // "INR 7.5", "INR is 9", "INR de 6"
            Reader(
                measure: .inr,
                pattern: make(#"\binr\b[^\d\n!?]{0,30}(\d{1,2}(?:[.,]\d{1,2})?)"#),
                values: Self.firstNumber(as: .inr, in: 0.5...20)
            ),
            // "ketones 2.1", "blood ketones as the sick day rules say and they're 3.4", "cétones à 1,8"
            Reader(
                measure: .ketones,
                pattern: make(
                    #"\b(?:ketones?|c[ée]tones?|cetonas|cuerpos cet[oó]nicos)\b[^\d\n.!?]{0,45}(\d{1,2}(?:[.,]\d)?)"#
                ),
                values: Self.firstNumber(as: .ketones, in: 0...15)
            ),
            // "HbA1c 62 mmol/mol", "A1c of 7.9%", "hémoglobine glyquée 8,1"
            Reader(
                measure: .hba1c,
                pattern: make(
                    #"\b(?:hba1c|a1c|h[ée]moglobine glyqu[ée]e|hemoglobina glicosilada|hemoglobina glicada)\b[^\d\n!?]{0,20}(\d{1,3}(?:[.,]\d)?)\s*(%|mmol/mol)?"#
                ),
                values: { groups in
                    guard let value = Self.number(groups[0]) else { return [] }
                    let percent = (groups[1] == "mmol/mol" || value > 20) ? value / 10.929 + 2.15 : value
                    guard (3...20).contains(percent) else { return [] }
                    return [(.hba1c, percent)]
                }
            ),
            // "Dad is 80", "she's 91", "I'm 34", "aged 72", "il a 80 ans" is read below
            Reader(
                measure: .age,
                pattern: make(
                    #"\b(?:(?:he|she|dad|mum|mom|father|mother|grandad|granddad|grandma|grandpa|nan|gran|husband|wife|partner|i)(?:'s| is|'m| am)|aged?|turned) (\d{1,3})\b(?!\s*(?:°|º|degrees|mg|kg|lbs|%|/|[.,]\d|bpm|mmol|weeks|days|months|hours|minutes|cm|kilos|pounds|stone))"#
                ),
                values: { groups in
                    guard let years = Self.number(groups[0]), (1...120).contains(years) else { return [] }
                    return [(.age, years)]
                }
            ),
            // "a 3-month-old", "6 weeks old", "72-year-old", "72 yo", "45F", "de 2 meses", "de 80 años", "3 mois"
            Reader(
                measure: .age,
                pattern: make(
                    #"\b(\d{1,3})[- ]?(?:(years?|yrs?|months?|mos?|weeks?|wks?|days?)[- ]old|(y/?o|yo|m|f)(?![a-z/]))|\b(?:de |âgée? de |aged? )?(\d{1,3}) ?(años|mois|meses|semaines|semanas|ans)\b"#
                ),
                values: { groups in
                    guard let count = Self.number(groups[0]) ?? Self.number(groups[3]) else { return [] }
                    let unit = (groups[1] ?? groups[2] ?? groups[4] ?? "y").lowercased()
                    if unit == "m" || unit == "f", count >= 100 { return [] }
                    let years: Double
                    if unit.hasPrefix("mo") || unit.hasPrefix("mes") || unit == "mois" {
                        years = count / 12
                    } else if unit.hasPrefix("w") || unit.hasPrefix("sem") {
                        years = count / 52
                    } else if unit.hasPrefix("d") || unit.hasPrefix("jour") {
                        years = count / 365
                    } else {
                        years = count
                    }
                    guard years <= 120 else { return [] }
                    return [(.age, years)]
                }
            ),
        ]
    }

    /// A reader of one value: the first captured number (of the expression's alternatives) in `range`.
    private static func firstNumber(
        as measure: TextMeasurement.Measure,
        in range: ClosedRange<Double>
    ) -> @Sendable ([String?]) -> [(TextMeasurement.Measure, Double)] {
        { groups in
            guard let value = groups.lazy.compactMap({ number($0) }).first, range.contains(value) else { return [] }
            return [(measure, value)]
        }
    }

    /// A number written with a decimal point or comma.
    private static func number(_ text: String?) -> Double? {
        text.flatMap { Double($0.replacingOccurrences(of: ",", with: ".")) }
    }

    /// A temperature in °C, or nil when the number cannot be a body temperature in its unit.
    private static func temperature(_ value: Double, unit: String?) -> Double? {
        switch unit?.lowercased() {
        case "f": return (93...112).contains(value) ? (value - 32) * 5 / 9 : nil
        case "c": return (33...44).contains(value) ? value : nil
        default:
            if (33...44).contains(value) { return value }
            if (93...112).contains(value) { return (value - 32) * 5 / 9 }
            return nil
        }
    }

    /// Every value written in `text`, in text order. "in 3 weeks" is not an age: ages need "old", an
    /// age unit ("ans", "años") or the clinical `45F`/`72 yo` forms.
    func measurements(in text: String) -> [TextMeasurement] {
        var result: [TextMeasurement] = []
        let whole = NSRange(location: 0, length: text.utf16.count)
        let nsText = text as NSString
        for reader in readers {
            for match in reader.pattern.regex.matches(in: text, range: whole) {
                let groups: [String?] = (1..<match.numberOfRanges).map { index in
                    let range = match.range(at: index)
                    return range.location == NSNotFound ? nil : nsText.substring(with: range)
                }
                if reader.measure == .age, Self.isDuration(match.range, in: nsText) { continue }
                let span = TextSpan(start: match.range.location, end: match.range.location + match.range.length)
                for (measure, value) in reader.values(groups) {
                    result.append(TextMeasurement(measure: measure, value: value, span: span))
                }
            }
        }
        return result.sorted { $0.span.start < $1.span.start }
    }

    /// "for 3 days", "depuis 2 semaines", "hace 3 días": a duration, not an age; nor "enceinte de 30
    /// semaines", "32 weeks pregnant": a pregnancy's age.
    private static func isDuration(_ range: NSRange, in text: NSString) -> Bool {
        let start = max(0, range.location - 12)
        let before = text.substring(with: NSRange(location: start, length: range.location - start)).lowercased()
        let end = range.location + range.length
        let after = text.substring(with: NSRange(location: end, length: min(14, text.length - end))).lowercased()
        let matched = text.substring(with: range).lowercased()
        let pregnancy = ["enceinte", "embarazada", "grossesse", "embarazo", "pregnant", "gestation"]
        if pregnancy.contains(where: { before.contains($0) || after.contains($0) }) { return true }
        if matched.contains("old") || matched.hasPrefix("de ") || matched.hasPrefix("âg") || matched.hasPrefix("age") {
            return false
        }
        let cues = [
            "for ", "past ", "last ", "in ", "since ", "depuis ", "pendant ", "desde ", "hace ", "durante ",
            "il y a ", "within ", "after ", "over ", "about ", "every ", "the ", "en ", "lleva ", "llevo ",
        ]
        return cues.contains { before.hasSuffix($0) }
    }
}
