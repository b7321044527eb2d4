import Foundation

/// Maps C-CDA sections and their entries to ``ClinicalRecord``s.
struct CCDAEntryMapper {
    let file: String
    var documentDate: Date?
    private(set) var records: [ClinicalRecord] = []
    private(set) var skipped: [String: Int] = [:]
    private var usedIDs: [String: Int] = [:]
    /// The narrative's elements by their `ID`, for `<reference value="#id"/>`.
    private var narrative: [String: String] = [:]

    init(file: String) {
        self.file = file
    }

    // MARK: - Document and sections

    mutating func mapPatient(_ patientRole: XMLTree) {
        guard let patient = patientRole.child("patient") else { return }
        let name = patient.child("name")
        let given = name?.children("given").map(\.plainText).joined(separator: " ") ?? ""
        let family = name?.child("family")?.plainText ?? ""
        let full = [given, family].filter { !$0.isEmpty }.joined(separator: " ")
        var record = newRecord(kind: .patient, title: full.isEmpty ? "Patient" : full, node: patientRole)
        record.date = patient.child("birthTime")?["value"].flatMap(CCDADate.parse)
        if let gender = patient.child("administrativeGenderCode")?["code"] {
            let names = ["F": "female", "M": "male", "UN": "other"]
            record.attributes.append(RecordAttribute("gender", names[gender] ?? gender))
        }
        records.append(record)
    }

    mutating func map(section: XMLTree) {
        if section["nullFlavor"] != nil { return }
        let code = section.child("code")?["code"]
        let kind = CCDASection(loincCode: code)
        narrative = [:]
        if let text = section.child("text") {
            for node in text.descendants(where: { $0["ID"] != nil }) {
                if let id = node["ID"] { narrative[id] = node.plainText }
            }
            if let id = text["ID"] { narrative[id] = text.plainText }
        }
        let before = records.count
        if kind != .narrative {
            for entry in section.children("entry") {
                guard let statement = entry.children.first(where: { Self.statementNames.contains($0.localName) })
                else { continue }
                map(entry: statement, in: kind)
            }
        }
        if records.count == before, let text = section.child("text")?.plainText, !text.isEmpty {
            let title = section.child("title")?.plainText ?? section.child("code")?["displayName"] ?? "Section"
            var note = newRecord(kind: .note, title: title, node: section)
            note.codes = concept(section.child("code")).codes
            note.text = text
            note.date = documentDate
            note.category = "section"
            records.append(note)
        }
    }

    static let statementNames: Set<String> = [
        "act", "observation", "substanceAdministration", "procedure", "encounter", "organizer", "supply",
    ]

    private mutating func map(entry statement: XMLTree, in section: CCDASection) {
        switch section {
        case .allergies:
            // Reactions belong inside the allergy observation; some documents put one beside it, under the
            // concern act. Those are attached to the concern's allergy rather than read as allergies.
            let inner = concernObservations(statement)
            let isReaction = { (node: XMLTree) in
                node.parentTypeCode == "MFST"
                    || node.children("templateId").contains { $0["root"] == "2.16.840.1.113883.10.20.22.4.9" }
            }
            let strayReactions = inner.filter(isReaction)
            for (position, observation) in inner.filter({ !isReaction($0) }).enumerated() {
                mapAllergy(observation, concern: statement, extraReactions: position == 0 ? strayReactions : [])
            }
        case .problems, .healthConcerns:
            for observation in concernObservations(statement) {
                mapProblem(observation, concern: statement, healthConcern: section == .healthConcerns)
            }
        case .medications:
            if statement.localName == "substanceAdministration" {
                mapMedication(statement)
            } else if statement.localName == "act" || statement.localName == "organizer" {
                let inner = relationships(statement).filter { $0.localName == "substanceAdministration" }
                if inner.isEmpty { mapGeneric(statement, kind: .medication, category: nil) }
                for administration in inner { mapMedication(administration) }
            } else {
                skipped[statement.localName, default: 0] += 1
            }
        case .immunizations:
            if statement.localName == "substanceAdministration" {
                mapImmunization(statement)
            } else {
                skipped[statement.localName, default: 0] += 1
            }
        case .results, .vitalSigns, .socialHistory, .functionalStatus:
            mapObservations(statement, category: section.observationCategory, panel: section == .results)
        case .procedures:
            mapGeneric(statement, kind: .procedure, category: nil)
        case .encounters:
            mapEncounter(statement)
        case .planOfCare:
            mapGeneric(statement, kind: .carePlan, category: statement["moodCode"])
        case .goals:
            mapGeneric(statement, kind: .goal, category: nil)
        case .familyHistory:
            mapFamilyHistory(statement)
        case .narrative:
            break
        }
    }

    // MARK: - Entries

    /// The observations inside a concern act (or the observation itself, when the entry is one).
    private func concernObservations(_ statement: XMLTree) -> [XMLTree] {
        if statement.localName == "observation" { return [statement] }
        return relationships(statement).filter { $0.localName == "observation" }
    }

    /// The clinical statements directly under a statement's `entryRelationship`s (and `component`s).
    private func relationships(_ statement: XMLTree, typeCode: String? = nil) -> [XMLTree] {
        (statement.children("entryRelationship") + statement.children("component"))
            .filter { typeCode == nil || $0["typeCode"] == typeCode }
            .compactMap { relation in relation.children.first { Self.statementNames.contains($0.localName) } }
    }

    private func hasTemplate(_ node: XMLTree, _ root: String) -> Bool {
        node.children("templateId").contains { $0["root"] == root }
    }

    private mutating func mapAllergy(_ observation: XMLTree, concern: XMLTree, extraReactions: [XMLTree]) {
        let substanceCode = observation.descendant("participant", "participantRole", "playingEntity", "code")
        let valueNode = observation.child("value")
        let negated = observation["negationInd"] == "true"
        var substance = concept(substanceCode)
        if substance.title == nil,
            let playing = observation.descendant("participant", "participantRole", "playingEntity")
        {
            substance.title = playing.child("name")?.plainText
        }
        let allergyType = concept(valueNode)
        var title = substance.title
        if title == nil {
            let typeName = allergyType.title?.lowercased() ?? "allergy"
            title =
                negated
                ? (typeName.contains("drug") || typeName.contains("medication")
                    ? "No known drug allergies" : "No known allergies")
                : (allergyType.title ?? "Allergy")
        }
        var record = newRecord(kind: .allergy, title: title ?? "Allergy", node: observation)
        record.codes = substance.codes.isEmpty ? allergyType.codes : substance.codes
        if negated { record.assertion = .absent }
        record.status = concern.child("statusCode")?["code"] ?? observation.child("statusCode")?["code"]
        let (start, end) = period(observation.child("effectiveTime"))
        record.date = start
        record.endDate = end
        if end != nil { record.status = "resolved" }
        if let typeTitle = allergyType.title, substance.title != nil {
            record.attributes.append(RecordAttribute("type", typeTitle))
        }
        for inner in relationships(observation) + extraReactions {
            if hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.9") || inner.parentTypeCode == "MFST" {
                guard var text = concept(inner.child("value")).title else { continue }
                let severity = relationships(inner).first { hasTemplate($0, "2.16.840.1.113883.10.20.22.4.8") }
                if let level = severity.flatMap({ concept($0.child("value")).title }) {
                    text += " (\(level.lowercased()))"
                }
                record.attributes.append(RecordAttribute("reaction", text))
            } else if hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.145") {
                if let level = concept(inner.child("value")).title {
                    record.attributes.append(RecordAttribute("criticality", level))
                }
            } else if hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.8") {
                if let level = concept(inner.child("value")).title {
                    record.attributes.append(RecordAttribute("severity", level))
                }
            } else if hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.28") {
                if let status = concept(inner.child("value")).title {
                    record.attributes.append(RecordAttribute("allergy status", status))
                }
            }
        }
        appendNarrative(observation, to: &record, unlessEqualTo: title)
        records.append(record)
    }

    private mutating func mapProblem(_ observation: XMLTree, concern: XMLTree, healthConcern: Bool) {
        let value = concept(observation.child("value"))
        let negated = observation["negationInd"] == "true"
        var title = value.title ?? concept(observation.child("code")).title ?? "Problem"
        // SNOMED 55607006 "Problem" negated: no known problems.
        if negated, value.codes.contains(where: { $0.code == "55607006" }) { title = "No known problems" }
        var record = newRecord(kind: .condition, title: title, node: observation)
        record.codes = value.codes
        if negated { record.assertion = .absent }
        if healthConcern { record.category = "health-concern" }
        record.category =
            record.category ?? concept(observation.child("code")).title.map { $0.lowercased() }
        let (start, end) = period(observation.child("effectiveTime"))
        record.date = start
        record.endDate = end
        record.status = end != nil ? "resolved" : concern.child("statusCode")?["code"]
        for inner in relationships(observation) where hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.6") {
            if let status = concept(inner.child("value")).title { record.status = status.lowercased() }
        }
        if let site = concept(observation.child("targetSiteCode")).title {
            record.attributes.append(RecordAttribute("site", site))
        }
        for qualifier in observation.child("value")?.children("qualifier") ?? [] {
            if let name = concept(qualifier.child("name")).title, let value = concept(qualifier.child("value")).title {
                record.attributes.append(RecordAttribute(name.lowercased(), value))
            }
        }
        records.append(record)
    }

    private mutating func mapMedication(_ administration: XMLTree) {
        let material = administration.descendant("consumable", "manufacturedProduct", "manufacturedMaterial")
        var drug = concept(material?.child("code"))
        if drug.title == nil { drug.title = material?.child("name")?.plainText }
        let negated = administration["negationInd"] == "true"
        // SNOMED 410942007 "Drug or medicament" and 182904002 "Drug treatment unknown" negated: no medications.
        let noMedication = negated && drug.codes.contains { ["410942007", "182904002"].contains($0.code) }
        let title = noMedication ? "No medications" : drug.title ?? (negated ? "No medications" : "Medication")
        var record = newRecord(kind: .medication, title: title, node: administration)
        record.codes = drug.codes
        if negated { record.assertion = .absent }
        record.status = administration.child("statusCode")?["code"]
        record.category = administration["moodCode"] == "INT" ? "request" : "statement"
        for time in administration.children("effectiveTime") {
            let type = time.attribute(localName: "type")
            if type == nil || type == "IVL_TS" {
                let (start, end) = period(time)
                record.date = record.date ?? start
                record.endDate = record.endDate ?? end
            }
        }
        if let dosage = dosage(administration) { record.attributes.append(RecordAttribute("dosage", dosage)) }
        for inner in relationships(administration) {
            if inner.parentTypeCode == "RSON" || hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.19") {
                if let reason = concept(inner.child("value")).title {
                    record.attributes.append(RecordAttribute("reason", reason))
                }
            } else if hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.20") {
                if let text = narrativeText(inner) { record.attributes.append(RecordAttribute("instructions", text)) }
            }
        }
        appendNarrative(administration, to: &record, unlessEqualTo: title)
        records.append(record)
    }

    private func dosage(_ administration: XMLTree) -> String? {
        var parts: [String] = []
        for inner in relationships(administration) where hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.147") {
            if let text = narrativeText(inner) { parts.append(text) }
        }
        if let dose = administration.child("doseQuantity"), let value = dose["value"] {
            parts.append("dose " + [value, dose["unit"]].compactMap(\.self).joined(separator: " "))
        }
        for time in administration.children("effectiveTime") where time.attribute(localName: "type") == "PIVL_TS" {
            if let period = time.child("period"), let value = period["value"] {
                parts.append("every \(value) \(period["unit"] ?? "")".trimmingCharacters(in: .whitespaces))
            }
        }
        if let route = concept(administration.child("routeCode")).title { parts.append(route.lowercased()) }
        if administration.descendant("precondition", "criterion") != nil { parts.append("as needed") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    private mutating func mapImmunization(_ administration: XMLTree) {
        let material = administration.descendant("consumable", "manufacturedProduct", "manufacturedMaterial")
        let vaccine = concept(material?.child("code"))
        let negated = administration["negationInd"] == "true"
        var record = newRecord(kind: .immunization, title: vaccine.title ?? "Immunization", node: administration)
        record.codes = vaccine.codes
        if negated { record.assertion = .absent }
        record.status = administration.child("statusCode")?["code"]
        record.date = period(administration.child("effectiveTime")).start
        if let lot = material?.child("lotNumberText")?.plainText, !lot.isEmpty {
            record.attributes.append(RecordAttribute("lot", lot))
        }
        if let route = concept(administration.child("routeCode")).title {
            record.attributes.append(RecordAttribute("route", route))
        }
        for inner in relationships(administration) {
            if let reason = concept(inner.child("value")).title ?? concept(inner.child("code")).title,
                hasTemplate(inner, "2.16.840.1.113883.10.20.22.4.53") || inner.parentTypeCode == "RSON"
            {
                record.attributes.append(RecordAttribute("reason", reason))
            }
        }
        if administration["moodCode"] == "INT" { record.category = "planned" }
        records.append(record)
    }

    private mutating func mapObservations(_ statement: XMLTree, category: String?, panel: Bool) {
        guard statement.localName == "organizer" else {
            if statement.localName == "observation" {
                records.append(observationRecord(statement, category: category))
            } else {
                mapGeneric(statement, kind: .observation, category: category)
            }
            return
        }
        let members = statement.children("component").compactMap { $0.child("observation") }
        let memberRecords = members.map { observationRecord($0, category: category) }
        records.append(contentsOf: memberRecords)
        guard panel else { return }
        let code = concept(statement.child("code"))
        var report = newRecord(kind: .diagnosticReport, title: code.title ?? "Results", node: statement)
        report.codes = code.codes
        report.category = category
        report.status = statement.child("statusCode")?["code"]
        report.date = period(statement.child("effectiveTime")).start ?? memberRecords.compactMap(\.date).min()
        report.components = memberRecords.map {
            RecordComponent(
                title: $0.title,
                codes: $0.codes,
                value: $0.value,
                referenceRange: $0.referenceRange,
                interpretation: $0.interpretation
            )
        }
        report.attributes = memberRecords.map { RecordAttribute("result", $0.id.rawValue) }
        records.append(report)
    }

    private mutating func observationRecord(_ observation: XMLTree, category: String?) -> ClinicalRecord {
        let code = concept(observation.child("code"))
        var record = newRecord(kind: .observation, title: code.title ?? "Observation", node: observation)
        record.codes = code.codes
        record.category = category
        record.status = observation.child("statusCode")?["code"]
        let (start, end) = period(observation.child("effectiveTime"))
        record.date = start ?? documentDate
        record.endDate = end
        record.value = value(observation.child("value"))
        if observation["negationInd"] == "true" { record.assertion = .absent }
        record.interpretation = observation.children("interpretationCode").lazy.compactMap { $0["code"] }.first
        let ranges = observation.children("referenceRange").compactMap { range -> ReferenceRange? in
            guard let observationRange = range.child("observationRange") else { return nil }
            return referenceRange(observationRange)
        }
        record.referenceRange = ranges.first
        for extra in ranges.dropFirst() {
            record.attributes.append(RecordAttribute("reference range", extra.description))
        }
        if let method = concept(observation.child("methodCode")).title {
            record.attributes.append(RecordAttribute("method", method))
        }
        if record.value == nil, let text = narrativeText(observation) { record.value = .text(text) }
        return record
    }

    private mutating func mapEncounter(_ encounter: XMLTree) {
        guard encounter.localName == "encounter" else {
            mapGeneric(encounter, kind: .encounter, category: nil)
            return
        }
        let code = concept(encounter.child("code"))
        var record = newRecord(kind: .encounter, title: code.title ?? "Encounter", node: encounter)
        record.codes = code.codes
        let (start, end) = period(encounter.child("effectiveTime"))
        record.date = start
        record.endDate = end
        record.status = encounter.child("statusCode")?["code"]
        for inner in relationships(encounter) {
            let observations = inner.localName == "observation" ? [inner] : relationships(inner)
            for observation in observations {
                if let reason = concept(observation.child("value")).title {
                    record.attributes.append(RecordAttribute("diagnosis", reason))
                }
            }
        }
        if let location = encounter.descendant("participant", "participantRole", "playingEntity", "name")?.plainText {
            record.attributes.append(RecordAttribute("location", location))
        }
        records.append(record)
    }

    private mutating func mapFamilyHistory(_ statement: XMLTree) {
        guard statement.localName == "organizer" else {
            mapGeneric(statement, kind: .familyHistory, category: nil)
            return
        }
        let relation = concept(statement.descendant("subject", "relatedSubject", "code")).title ?? "Family member"
        let observations = statement.children("component").compactMap { $0.child("observation") }
        let conditions = observations.map { concept($0.child("value")) }
        let names = conditions.compactMap(\.title)
        var record = newRecord(
            kind: .familyHistory,
            title: names.isEmpty ? relation : "\(relation): \(names.joined(separator: ", "))",
            node: statement
        )
        record.codes = conditions.flatMap(\.codes)
        record.attributes.append(RecordAttribute("relationship", relation))
        record.status = statement.child("statusCode")?["code"]
        if observations.contains(where: { $0["negationInd"] == "true" }) && observations.count == 1 {
            record.assertion = .absent
        }
        records.append(record)
    }

    /// Procedures, plan-of-care activities, goals: a code, a status, a time, and the narrative.
    private mutating func mapGeneric(_ statement: XMLTree, kind: RecordKind, category: String?) {
        var code = concept(statement.child("code"))
        if statement.localName == "substanceAdministration" || statement.localName == "supply" {
            code = concept(
                statement.descendant("consumable", "manufacturedProduct", "manufacturedMaterial", "code")
                    ?? statement.descendant("product", "manufacturedProduct", "manufacturedMaterial", "code")
            )
        }
        if kind == .goal, code.title == nil || code.codes.isEmpty, let value = concept(statement.child("value")).title {
            code.title = value
        }
        let title = code.title ?? narrativeText(statement) ?? kind.displayName.capitalized
        var record = newRecord(kind: kind, title: title, node: statement)
        record.codes = code.codes
        record.category = category
        record.status = statement.child("statusCode")?["code"]
        if statement["negationInd"] == "true" { record.assertion = .absent }
        let (start, end) = period(statement.child("effectiveTime"))
        record.date = start
        record.endDate = end
        if let value = value(statement.child("value")), kind != .goal { record.value = value }
        if let site = concept(statement.child("targetSiteCode")).title {
            record.attributes.append(RecordAttribute("site", site))
        }
        appendNarrative(statement, to: &record, unlessEqualTo: title)
        records.append(record)
    }

    // MARK: - Data types

    struct Concept {
        var title: String?
        var codes: [ClinicalCode]
    }

    /// A CD/CE value: its codes (translations included) and the best display text.
    private func concept(_ node: XMLTree?) -> Concept {
        guard let node else { return Concept(title: nil, codes: []) }
        var codes: [ClinicalCode] = []
        if let code = node["code"], node["nullFlavor"] == nil {
            codes.append(
                ClinicalCode(
                    system: CodeSystem(node["codeSystem"] ?? "unknown"),
                    code: code,
                    display: node["displayName"]
                )
            )
        }
        for translation in node.children("translation") {
            if let code = translation["code"] {
                codes.append(
                    ClinicalCode(
                        system: CodeSystem(translation["codeSystem"] ?? "unknown"),
                        code: code,
                        display: translation["displayName"]
                    )
                )
            }
        }
        var title = node["displayName"]
        if title == nil || title?.isEmpty == true, let original = node.child("originalText") {
            title = narrativeText(original)
        }
        if title == nil { title = node.children("translation").lazy.compactMap { $0["displayName"] }.first }
        return Concept(title: title.flatMap { $0.isEmpty ? nil : $0 }, codes: codes)
    }

    /// Text that an element carries directly or through `<reference value="#id"/>` into the narrative.
    private func narrativeText(_ node: XMLTree) -> String? {
        let holder = node.localName == "originalText" ? node : (node.child("text") ?? node)
        if let reference = holder.child("reference")?["value"], reference.hasPrefix("#") {
            if let text = narrative[String(reference.dropFirst())], !text.isEmpty { return text }
        }
        guard holder !== node || node.localName == "originalText" else { return nil }
        let text = holder.plainText
        return text.isEmpty ? nil : text
    }

    private func appendNarrative(_ statement: XMLTree, to record: inout ClinicalRecord, unlessEqualTo title: String?) {
        guard let text = narrativeText(statement), text != title else { return }
        record.text = text
    }

    private func period(_ node: XMLTree?) -> (start: Date?, end: Date?) {
        guard let node else { return (nil, nil) }
        if let value = node["value"] { return (CCDADate.parse(value), nil) }
        let low = node.child("low")?["value"].flatMap(CCDADate.parse)
        let high = node.child("high")?["value"].flatMap(CCDADate.parse)
        let center = node.child("center")?["value"].flatMap(CCDADate.parse)
        return (low ?? center, high)
    }

    private func quantity(_ node: XMLTree?) -> Quantity? {
        guard let node, let text = node["value"], let number = Double(text) else { return nil }
        let unit = node["unit"].flatMap { $0 == "1" ? nil : $0 }
        return Quantity(value: number, unit: unit)
    }

    private func value(_ node: XMLTree?) -> RecordValue? {
        guard let node, node["nullFlavor"] == nil || node.child("originalText") != nil else { return nil }
        switch node.attribute(localName: "type") {
        case "PQ", "INT", "REAL", "MO":
            if let quantity = quantity(node) { return .quantity(quantity) }
            // A non-numeric PQ value (`value="positive"`), or a unit carried by a translation.
            if let text = node["value"] {
                return .text([text, node["unit"]].compactMap(\.self).joined(separator: " "))
            }
            return nil
        case "IVL_PQ":
            if let low = quantity(node.child("low")), node.child("high")?["value"] == nil {
                var bound = low
                bound.comparator = node.child("low")?["inclusive"] == "false" ? ">" : ">="
                return .quantity(bound)
            }
            if let high = quantity(node.child("high")), node.child("low")?["value"] == nil {
                var bound = high
                bound.comparator = node.child("high")?["inclusive"] == "false" ? "<" : "<="
                return .quantity(bound)
            }
            if let low = quantity(node.child("low")), let high = quantity(node.child("high")) {
                return .text("\(low)–\(high)")
            }
            return nil
        case "CD", "CE", "CO", "CV":
            let coded = concept(node)
            if var code = coded.codes.first {
                code.display = coded.title ?? code.display
                return .coded(code)
            }
            return coded.title.map(RecordValue.text)
        case "ST", "ED":
            let text = node.plainText
            return text.isEmpty ? nil : .text(text)
        case "BL":
            return node["value"].map { .boolean($0 == "true") }
        case "TS":
            return node["value"].flatMap(CCDADate.parse).map { .text(FHIRDate.day($0)) }
        default:
            if let quantity = quantity(node) { return .quantity(quantity) }
            let text = node.plainText
            return text.isEmpty ? nil : .text(text)
        }
    }

    private func referenceRange(_ observationRange: XMLTree) -> ReferenceRange? {
        let valueNode = observationRange.child("value")
        var range = ReferenceRange(
            low: quantity(valueNode?.child("low")),
            high: quantity(valueNode?.child("high")),
            text: nil
        )
        if range.low == nil && range.high == nil {
            if let text = observationRange.child("text").flatMap({ narrativeText($0) ?? $0.plainText }), !text.isEmpty {
                range.text = text
            } else if let coded = concept(valueNode).title {
                range.text = coded
            }
        }
        return range.low == nil && range.high == nil && range.text == nil ? nil : range
    }

    private mutating func newRecord(kind: RecordKind, title: String, node: XMLTree) -> ClinicalRecord {
        let identifier = node.child("id").flatMap { id -> String? in
            guard let root = id["root"] else { return nil }
            return id["extension"].map { "\(root)/\($0)" } ?? root
        }
        var base = "CCDA/" + (identifier ?? "\(file)#\(node.path)")
        let seen = usedIDs[base, default: 0]
        usedIDs[base] = seen + 1
        if seen > 0 { base += "#\(seen + 1)" }
        return ClinicalRecord(
            id: RecordID(base),
            kind: kind,
            title: title,
            provenance: Provenance(
                sourceFile: file,
                resourceID: identifier,
                resourceType: node.localName,
                location: node.path
            )
        )
    }
}
