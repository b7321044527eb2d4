import Foundation

/// Everyday words people use for clinical things, with the words records use for them
/// (`statin` → atorvastatin, simvastatin, …; `shingles` → zoster). Used to check whether a topic is in
/// the records and to widen the lexical query.
///
/// General medical vocabulary, not tuned to any one person's records; extend it as questions show gaps.
enum LayTerms {
    static let expansions: [String: [String]] = [
        "statin": ["atorvastatin", "simvastatin", "rosuvastatin", "pravastatin", "lovastatin"],
        "statins": ["atorvastatin", "simvastatin", "rosuvastatin", "pravastatin", "lovastatin"],
        "antibiotic": ["amoxicillin", "penicillin", "azithromycin", "doxycycline", "cephalexin", "ciprofloxacin"],
        "antibiotics": ["amoxicillin", "penicillin", "azithromycin", "doxycycline", "cephalexin", "ciprofloxacin"],
        "tetanus": ["tdap", "td", "dtap"],
        "shingles": ["zoster"],
        "egfr": ["glomerular", "filtration"],
        "kidney": ["glomerular", "creatinine", "renal"],
        "kidneys": ["glomerular", "creatinine", "renal"],
        "weigh": ["weight"],
        "weighed": ["weight"],
        "checkup": ["encounter", "follow"],
        "checkups": ["encounter", "follow"],
        "sinus": ["sinusitis"],
        "infection": ["sinusitis", "bacterial", "infectious"],
        "sugar": ["glucose", "a1c"],
        "cholesterol": ["ldl", "hdl", "lipid"],
        "pressure": ["systolic", "diastolic"],
        "heartbeat": ["heart", "rate"],
        "pulse": ["heart", "rate"],
        "flu": ["influenza"],
        "covid": ["sars", "cov"],
        "diabetic": ["diabetes"],
        "hypertension": ["hypertension"],
        "palpitation": ["palpitations"],
    ]

    /// The words to look for when the question says `term` (accents folded first: "cholestérol" is
    /// looked up as "cholesterol").
    static func alternatives(for term: String) -> [String] {
        if let found = expansions[term] { return found }
        let folded = String(
            String.UnicodeScalarView(
                term.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                    $0.properties.generalCategory != .nonspacingMark
                }
            )
        )
        return expansions[folded] ?? (folded == term ? [] : [folded])
    }

    /// Phrases whose clinical name differs from their words.
    static let phrases: [String: [String]] = [
        "high blood pressure": ["hypertension"],
        "high cholesterol": ["hyperlipidemia"],
        "blood pressure medicine": ["lisinopril", "amlodipine", "losartan", "hydrochlorothiazide", "metoprolol"],
        "blood pressure medication": ["lisinopril", "amlodipine", "losartan", "hydrochlorothiazide", "metoprolol"],
        "heart attack": ["myocardial", "infarction"],
        "sinus infection": ["sinusitis"],
    ]

    /// The question with the clinical words for its lay words and phrases appended, for lexical search.
    static func expandedQuery(_ question: String) -> String {
        let lowered = question.lowercased()
        var extra: [String] = []
        for (phrase, words) in phrases where lowered.contains(phrase) { extra += words }
        for word in lowered.split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            extra += expansions[String(word)] ?? []
        }
        return extra.isEmpty ? question : question + " " + extra.joined(separator: " ")
    }
}
