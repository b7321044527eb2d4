import Foundation

/// A lab result written on one line of a report: `Potassium   6.4 mmol/L   3.5–5.1   H`.
struct LabLine: Equatable {
    var name: String
    var value: Quantity
    var range: ReferenceRange?
    var flag: String?

    /// The pattern: a name, a number (with an optional comparator) and unit, a range (`3.5-5.1`, `<5.7`,
    /// `>60`), an optional unit after the range, and an optional flag. Columns may be separated by one
    /// space or many (pdftotext -layout).
    private static let pattern: NSRegularExpression = {
        let name = #"(?<name>[A-Za-z0-9][A-Za-z0-9 ,()/%'.+-]*?[A-Za-z)%])"#
        let value = #"(?<cmp>[<>]=?|≤|≥)?\s*(?<value>-?\d+(?:\.\d+)?)"#
        let unit = #"(?:x?10[\^*]\d+/[A-Za-zµμ]+|[A-Za-zµμ%][^\s\d]*(?:\d+(?:\.\d+)?[A-Za-z0-9]*)?)"#
        let range =
            #"(?:(?:ref(?:erence)?(?:\s*range)?:?\s*)?(?<low>\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(?<high>\d+(?:\.\d+)?)|(?<bound>[<>]=?|≤|≥)\s*(?<boundValue>\d+(?:\.\d+)?))"#
        let flags = #"(?:HH|LL|H|L|A|N|High|Low|HIGH|LOW|Critical|CRITICAL|Abnormal|Normal)"#
        let flag = #"(?<flag>"# + flags + #")"#
        let text =
            #"^\s*"# + name + #"\s*:?\s+"# + value + #"\s*(?<unit>"# + unit + #")?\s+\(?"# + range
            + #"\)?(?:\s*(?!"# + flags + #"\s*\*?\s*$)(?<unit2>"# + unit + #"))?(?:\s+"# + flag + #")?\s*\*?\s*$"#
        // The pattern is a constant; a failure here is a programming error caught by the tests.
        return try! NSRegularExpression(pattern: text)
    }()

    /// The lab result on a line, or nil when the line is not one.
    init?(_ line: String) {
        let nsLine = line as NSString
        guard line.count <= 200,
            let match = Self.pattern.firstMatch(in: line, range: NSRange(location: 0, length: nsLine.length))
        else { return nil }
        func group(_ name: String) -> String? {
            let range = match.range(withName: name)
            guard range.location != NSNotFound else { return nil }
            return nsLine.substring(with: range)
        }
        guard let name = group("name")?.trimmingCharacters(in: .whitespaces),
            let number = group("value").flatMap(Double.init)
        else { return nil }
        let lowered = name.lowercased()
        // Dates, page numbers and addresses are not analytes.
        if ["page", "date", "dob", "phone", "fax", "mrn", "age"].contains(where: { lowered.hasPrefix($0) }) {
            return nil
        }
        let unit = group("unit") ?? group("unit2")
        if let unit, ["of", "to", "and", "years", "yrs"].contains(unit.lowercased()) { return nil }
        let comparator = group("cmp").map { $0 == "≤" ? "<=" : $0 == "≥" ? ">=" : $0 }
        self.name = name
        value = Quantity(value: number, unit: unit, comparator: comparator)
        if let low = group("low").flatMap(Double.init), let high = group("high").flatMap(Double.init) {
            range = ReferenceRange(low: Quantity(value: low, unit: unit), high: Quantity(value: high, unit: unit))
        } else if let bound = group("bound"), let limit = group("boundValue").flatMap(Double.init) {
            let quantity = Quantity(value: limit, unit: unit)
            range =
                bound.hasPrefix("<") || bound == "≤"
                ? ReferenceRange(high: quantity, text: "\(bound) \(quantity)")
                : ReferenceRange(low: quantity, text: "\(bound) \(quantity)")
        }
        flag = group("flag").map { flag in
            switch flag.lowercased() {
            case "high": "H"
            case "low": "L"
            case "critical": "AA"
            case "abnormal": "A"
            case "normal": "N"
            default: flag
            }
        }
    }

    /// LOINC codes of common analytes, by lower-cased name, so that documents are searchable by code too.
    static let loinc: [String: (String, String)] = [
        "potassium": ("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
        "sodium": ("2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
        "chloride": ("2075-0", "Chloride [Moles/volume] in Serum or Plasma"),
        "glucose": ("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
        "creatinine": ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
        "bun": ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma"),
        "urea nitrogen": ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma"),
        "calcium": ("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
        "hba1c": ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
        "hemoglobin a1c": ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
        "hemoglobin": ("718-7", "Hemoglobin [Mass/volume] in Blood"),
        "total cholesterol": ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"),
        "cholesterol": ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"),
        "ldl cholesterol": ("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation"),
        "hdl cholesterol": ("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma"),
        "triglycerides": ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma"),
        "tsh": ("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"),
        "alt": ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
        "ast": ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
        "egfr": ("62238-1", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area]"),
        "wbc": ("6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
        "platelets": ("777-3", "Platelets [#/volume] in Blood by Automated count"),
        "vitamin d": ("1989-3", "25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma"),
        "ferritin": ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma"),
    ]

    /// The analyte's LOINC code, when its name is a common one.
    var code: ClinicalCode? {
        let key = name.lowercased().replacingOccurrences(of: ",", with: "")
        let entry = Self.loinc[key] ?? Self.loinc.first { key.hasPrefix($0.key + " ") }?.value
        return entry.map { ClinicalCode(system: .loinc, code: $0.0, display: $0.1) }
    }
}
