import Foundation

/// Maps one FHIR resource to a ``ClinicalRecord``.
struct FHIRResourceMapper {
    let file: String
    let node: JSONNode
    let type: String
    let medications: [String: JSONNode]

    func record() throws -> ClinicalRecord? {
        let resourceID = node["id"]?.string
        let identity = resourceID ?? "\(file)#\(node.path)"
        var record = ClinicalRecord(
            id: RecordID("\(type)/\(identity)"),
            kind: .observation,
            title: type,
            provenance: Provenance(sourceFile: file, resourceID: resourceID, resourceType: type, location: node.path)
        )
        switch type {
        case "Patient": mapPatient(&record)
        case "Condition": mapCondition(&record)
        case "Observation": mapObservation(&record)
        case "DiagnosticReport": mapDiagnosticReport(&record)
        case "MedicationRequest", "MedicationStatement": mapMedication(&record)
        case "AllergyIntolerance": mapAllergy(&record)
        case "Immunization": mapImmunization(&record)
        case "Procedure": mapProcedure(&record)
        case "Encounter": mapEncounter(&record)
        case "CarePlan": mapCarePlan(&record)
        case "Goal": mapGoal(&record)
        case "FamilyMemberHistory": mapFamilyHistory(&record)
        case "DocumentReference": try mapDocument(&record)
        default: return nil
        }
        if let subject = (node["subject"] ?? node["patient"])?["reference"]?.string {
            record.attributes.append(RecordAttribute("subject", subject))
        }
        return record
    }

    // MARK: - Resources

    private func mapPatient(_ record: inout ClinicalRecord) {
        record.kind = .patient
        let name = node["name"]?.array.first
        let given = name?["given"]?.array.compactMap(\.string).joined(separator: " ") ?? ""
        let family = name?["family"]?.string ?? ""
        let full = [given, family].filter { !$0.isEmpty }.joined(separator: " ")
        record.title = full.isEmpty ? "Patient" : full
        record.date = node["birthDate"]?.string.flatMap(FHIRDate.parse)
        if let gender = node["gender"]?.string { record.attributes.append(RecordAttribute("gender", gender)) }
        if let deceased = node["deceasedDateTime"]?.string {
            record.endDate = FHIRDate.parse(deceased)
            record.attributes.append(RecordAttribute("deceased", deceased))
        }
        record.status = node["active"]?.bool == false ? "inactive" : "active"
    }

    private func mapCondition(_ record: inout ClinicalRecord) {
        record.kind = .condition
        apply(concept: node["code"], to: &record, fallback: "Condition")
        record.status = firstCode(node["clinicalStatus"])
        if let verification = firstCode(node["verificationStatus"]) {
            record.attributes.append(RecordAttribute("verification", verification))
            if verification == "refuted" { record.assertion = .absent }
        }
        record.category = node["category"]?.array.first.flatMap(firstCode)
        record.date = dateTime(prefix: "onset") ?? node["recordedDate"]?.string.flatMap(FHIRDate.parse)
        record.endDate = dateTime(prefix: "abatement")
    }

    private func mapObservation(_ record: inout ClinicalRecord) {
        record.kind = .observation
        apply(concept: node["code"], to: &record, fallback: "Observation")
        record.status = node["status"]?.string
        record.category = node["category"]?.array.first.flatMap(firstCode)
        record.date = dateTime(prefix: "effective") ?? node["issued"]?.string.flatMap(FHIRDate.parse)
        record.value = value(of: node)
        record.referenceRange = node["referenceRange"]?.array.first.flatMap(referenceRange)
        record.interpretation = node["interpretation"]?.array.first.flatMap(firstCode)
        record.components =
            node["component"]?.array.map { component in
                RecordComponent(
                    title: conceptText(component["code"]) ?? "component",
                    codes: codes(component["code"]),
                    value: value(of: component),
                    referenceRange: component["referenceRange"]?.array.first.flatMap(referenceRange),
                    interpretation: component["interpretation"]?.array.first.flatMap(firstCode)
                )
            } ?? []
        if record.status == "amended" || record.status == "corrected" {
            record.attributes.append(RecordAttribute("revision", record.status ?? ""))
        }
        appendNotes(to: &record)
    }

    private func mapDiagnosticReport(_ record: inout ClinicalRecord) {
        record.kind = .diagnosticReport
        apply(concept: node["code"], to: &record, fallback: "Diagnostic report")
        record.status = node["status"]?.string
        record.category = node["category"]?.array.first.flatMap(firstCode)
        record.date = dateTime(prefix: "effective") ?? node["issued"]?.string.flatMap(FHIRDate.parse)
        var parts: [String] = []
        if let conclusion = node["conclusion"]?.string { parts.append(conclusion) }
        for form in node["presentedForm"]?.array ?? [] {
            if let text = attachmentText(form) { parts.append(text) }
        }
        record.text = parts.isEmpty ? nil : parts.joined(separator: "\n\n")
        for result in node["result"]?.array ?? [] {
            if let reference = result["reference"]?.string {
                record.attributes.append(RecordAttribute("result", reference))
            }
        }
    }

    private func mapMedication(_ record: inout ClinicalRecord) {
        record.kind = .medication
        if let concept = node["medicationCodeableConcept"] {
            apply(concept: concept, to: &record, fallback: "Medication")
        } else if let reference = node["medicationReference"]?["reference"]?.string {
            let medication: JSONNode? =
                reference.hasPrefix("#")
                ? node["contained"]?.array.first { $0["id"]?.string == String(reference.dropFirst()) }
                : medications[reference]
            apply(concept: medication?["code"], to: &record, fallback: "Medication")
            if medication == nil, let display = node["medicationReference"]?["display"]?.string {
                record.title = display
            }
        }
        record.status = node["status"]?.string
        record.category = type == "MedicationStatement" ? "statement" : "request"
        record.date =
            node["authoredOn"]?.string.flatMap(FHIRDate.parse) ?? dateTime(prefix: "effective")
            ?? node["dateAsserted"]?.string.flatMap(FHIRDate.parse)
        if let end = node["effectivePeriod"]?["end"]?.string.flatMap(FHIRDate.parse) { record.endDate = end }
        if type == "MedicationStatement" {
            if let source = node["informationSource"]?["display"]?.string {
                record.attributes.append(RecordAttribute("reported by", source))
            }
            if let reason = node["statusReason"]?.array.first.flatMap(conceptText) {
                record.attributes.append(RecordAttribute("status reason", reason))
            }
            if record.status == "not-taken" { record.assertion = .absent }
            appendNotes(to: &record)
        }
        let dosages = (node["dosageInstruction"] ?? node["dosage"])?.array ?? []
        for dosage in dosages {
            if let text = dosage["text"]?.string ?? dosageSummary(dosage) {
                record.attributes.append(RecordAttribute("dosage", text))
            }
        }
        for reason in node["reasonReference"]?.array ?? [] {
            if let display = reason["display"]?.string {
                record.attributes.append(RecordAttribute("reason", display))
            } else if let reference = reason["reference"]?.string {
                // Resolved to the referenced resource's title when the input holds it (FHIRReferenceResolver).
                record.attributes.append(RecordAttribute(FHIRReferenceResolver.reasonReference, reference))
            }
        }
        for reason in node["reasonCode"]?.array ?? [] {
            if let text = conceptText(reason) { record.attributes.append(RecordAttribute("reason", text)) }
        }
    }

    private func mapAllergy(_ record: inout ClinicalRecord) {
        record.kind = .allergy
        apply(concept: node["code"], to: &record, fallback: "Allergy")
        record.status = firstCode(node["clinicalStatus"])
        if let verification = firstCode(node["verificationStatus"]) {
            record.attributes.append(RecordAttribute("verification", verification))
            if verification == "refuted" { record.assertion = .absent }
        }
        // SNOMED 716186003 "No known allergy" and its relatives state an absence.
        let absenceCodes: Set<String> = ["716186003", "409137002", "428607008", "429625007"]
        if record.codes.contains(where: { absenceCodes.contains($0.code) }) { record.assertion = .absent }
        record.category = node["category"]?.array.first?.string
        record.date = dateTime(prefix: "onset") ?? node["recordedDate"]?.string.flatMap(FHIRDate.parse)
        if let criticality = node["criticality"]?.string {
            record.attributes.append(RecordAttribute("criticality", criticality))
        }
        if let allergyType = node["type"]?.string { record.attributes.append(RecordAttribute("type", allergyType)) }
        for reaction in node["reaction"]?.array ?? [] {
            let manifestations = reaction["manifestation"]?.array.compactMap(conceptText) ?? []
            var text = manifestations.joined(separator: ", ")
            if let severity = reaction["severity"]?.string { text += " (\(severity))" }
            if !text.isEmpty { record.attributes.append(RecordAttribute("reaction", text)) }
        }
        appendNotes(to: &record)
    }

    private func mapImmunization(_ record: inout ClinicalRecord) {
        record.kind = .immunization
        apply(concept: node["vaccineCode"], to: &record, fallback: "Immunization")
        record.status = node["status"]?.string
        if record.status == "not-done" { record.assertion = .absent }
        record.date = dateTime(prefix: "occurrence") ?? node["recorded"]?.string.flatMap(FHIRDate.parse)
        if let lot = node["lotNumber"]?.string { record.attributes.append(RecordAttribute("lot", lot)) }
        if let site = conceptText(node["site"]) { record.attributes.append(RecordAttribute("site", site)) }
        if let dose = node["doseQuantity"].flatMap(quantity) {
            record.attributes.append(RecordAttribute("dose", dose.description))
        }
    }

    private func mapProcedure(_ record: inout ClinicalRecord) {
        record.kind = .procedure
        apply(concept: node["code"], to: &record, fallback: "Procedure")
        record.status = node["status"]?.string
        if record.status == "not-done" { record.assertion = .absent }
        if let period = node["performedPeriod"] {
            record.date = period["start"]?.string.flatMap(FHIRDate.parse)
            record.endDate = period["end"]?.string.flatMap(FHIRDate.parse)
        } else {
            record.date = node["performedDateTime"]?.string.flatMap(FHIRDate.parse)
        }
        appendReasons(to: &record)
    }

    private func mapEncounter(_ record: inout ClinicalRecord) {
        record.kind = .encounter
        apply(concept: node["type"]?.array.first, to: &record, fallback: "Encounter")
        record.status = node["status"]?.string
        record.category = node["class"]?["code"]?.string
        record.date = node["period"]?["start"]?.string.flatMap(FHIRDate.parse)
        record.endDate = node["period"]?["end"]?.string.flatMap(FHIRDate.parse)
        appendReasons(to: &record)
        if let provider = node["serviceProvider"]?["display"]?.string {
            record.attributes.append(RecordAttribute("provider", provider))
        }
    }

    private func mapCarePlan(_ record: inout ClinicalRecord) {
        record.kind = .carePlan
        apply(concept: node["category"]?.array.last, to: &record, fallback: "Care plan")
        record.status = node["status"]?.string
        record.date = node["period"]?["start"]?.string.flatMap(FHIRDate.parse)
        record.endDate = node["period"]?["end"]?.string.flatMap(FHIRDate.parse)
        for activity in node["activity"]?.array ?? [] {
            if let text = conceptText(activity["detail"]?["code"]) {
                record.attributes.append(RecordAttribute("activity", text))
            }
        }
        record.text = node["description"]?.string
    }

    private func mapGoal(_ record: inout ClinicalRecord) {
        record.kind = .goal
        apply(concept: node["description"], to: &record, fallback: "Goal")
        record.status = node["lifecycleStatus"]?.string
        record.date = node["startDate"]?.string.flatMap(FHIRDate.parse)
    }

    private func mapFamilyHistory(_ record: inout ClinicalRecord) {
        record.kind = .familyHistory
        let relation = conceptText(node["relationship"]) ?? "Family member"
        let conditions = node["condition"]?.array.compactMap { conceptText($0["code"]) } ?? []
        record.title = conditions.isEmpty ? relation : "\(relation): \(conditions.joined(separator: ", "))"
        record.codes = node["condition"]?.array.flatMap { codes($0["code"]) } ?? []
        record.status = node["status"]?.string
        record.date = node["date"]?.string.flatMap(FHIRDate.parse)
        record.attributes.append(RecordAttribute("relationship", relation))
    }

    private func mapDocument(_ record: inout ClinicalRecord) throws {
        record.kind = .note
        apply(concept: node["type"], to: &record, fallback: "Document")
        record.status = node["status"]?.string
        record.category = node["category"]?.array.first.flatMap(firstCode)
        record.date =
            node["date"]?.string.flatMap(FHIRDate.parse)
            ?? node["context"]?["period"]?["start"]?.string.flatMap(FHIRDate.parse)
        var texts: [String] = []
        for content in node["content"]?.array ?? [] {
            guard let attachment = content["attachment"] else { continue }
            if let text = attachmentText(attachment) { texts.append(text) }
        }
        if let description = node["description"]?.string, texts.isEmpty { texts.append(description) }
        record.text = texts.isEmpty ? nil : texts.joined(separator: "\n\n")
        if record.status == "superseded" { record.attributes.append(RecordAttribute("revision", "superseded")) }
    }

    // MARK: - Data types

    private func codes(_ concept: JSONNode?) -> [ClinicalCode] {
        concept?["coding"]?.array.compactMap { coding in
            guard let code = coding["code"]?.string else { return nil }
            return ClinicalCode(
                system: CodeSystem(coding["system"]?.string ?? "unknown"),
                code: code,
                display: coding["display"]?.string
            )
        } ?? []
    }

    private func conceptText(_ concept: JSONNode?) -> String? {
        guard let concept else { return nil }
        if let text = concept["text"]?.string, !text.isEmpty { return text }
        return concept["coding"]?.array.lazy.compactMap { $0["display"]?.string ?? $0["code"]?.string }.first
    }

    private func firstCode(_ concept: JSONNode?) -> String? {
        concept?["coding"]?.array.lazy.compactMap { $0["code"]?.string }.first ?? concept?["text"]?.string
    }

    private func apply(concept: JSONNode?, to record: inout ClinicalRecord, fallback: String) {
        record.codes = codes(concept)
        record.title = conceptText(concept) ?? fallback
    }

    private func dateTime(prefix: String) -> Date? {
        guard let (suffix, value) = node.firstKey(withPrefix: prefix) else { return nil }
        switch suffix {
        case "DateTime", "Date", "Instant": return value.string.flatMap(FHIRDate.parse)
        case "Period": return (value["start"] ?? value["end"])?.string.flatMap(FHIRDate.parse)
        case "String": return value.string.flatMap(FHIRDate.parse)
        default: return nil
        }
    }

    private func quantity(_ node: JSONNode) -> Quantity? {
        guard let number = node["value"]?.double else { return nil }
        return Quantity(
            value: number,
            unit: node["unit"]?.string ?? node["code"]?.string,
            comparator: node["comparator"]?.string
        )
    }

    private func value(of node: JSONNode) -> RecordValue? {
        guard let (suffix, value) = node.firstKey(withPrefix: "value") else { return nil }
        switch suffix {
        case "Quantity": return quantity(value).map(RecordValue.quantity)
        case "CodeableConcept":
            guard let code = codes(value).first else { return conceptText(value).map(RecordValue.text) }
            var coded = code
            coded.display = conceptText(value) ?? code.display
            return .coded(coded)
        case "String": return value.string.map(RecordValue.text)
        case "Boolean": return value.bool.map(RecordValue.boolean)
        case "Integer": return value.double.map { .quantity(Quantity(value: $0)) }
        case "Range":
            let low = value["low"].flatMap(quantity)?.description ?? "?"
            let high = value["high"].flatMap(quantity)?.description ?? "?"
            return .text("\(low)–\(high)")
        case "Ratio":
            let numerator = value["numerator"].flatMap(quantity)?.description ?? "?"
            let denominator = value["denominator"].flatMap(quantity)?.description ?? "?"
            return .text("\(numerator) / \(denominator)")
        case "DateTime", "Time", "Period": return value.string.map(RecordValue.text)
        default: return nil
        }
    }

    private func referenceRange(_ node: JSONNode) -> ReferenceRange? {
        let range = ReferenceRange(
            low: node["low"].flatMap(quantity),
            high: node["high"].flatMap(quantity),
            text: node["text"]?.string
        )
        return range.low == nil && range.high == nil && range.text == nil ? nil : range
    }

    private func dosageSummary(_ dosage: JSONNode) -> String? {
        var parts: [String] = []
        if let dose = dosage["doseAndRate"]?.array.first?["doseQuantity"].flatMap(quantity) {
            parts.append("dose \(dose.description)")
        }
        if let repeatNode = dosage["timing"]?["repeat"], let frequency = repeatNode["frequency"]?.double,
            let period = repeatNode["period"]?.double, let unit = repeatNode["periodUnit"]?.string
        {
            parts.append(
                "\(Quantity(value: frequency).description)× per \(Quantity(value: period).description) \(unit)"
            )
        }
        if dosage["asNeededBoolean"]?.bool == true { parts.append("as needed") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    private func attachmentText(_ attachment: JSONNode) -> String? {
        let contentType = attachment["contentType"]?.string?.lowercased() ?? "text/plain"
        guard let encoded = attachment["data"]?.string, let data = Data(base64Encoded: encoded) else { return nil }
        if contentType.hasPrefix("text/plain") || contentType.hasPrefix("text/markdown") {
            return String(data: data, encoding: .utf8)
        }
        if contentType.hasPrefix("text/html") {
            return String(data: data, encoding: .utf8).map(HTMLText.plainText)
        }
        if contentType.hasPrefix("application/pdf") {
            // A PDF that pdftotext cannot read leaves the record without text rather than failing the file.
            return try? PDFText.text(data: data, file: file)
        }
        return nil
    }

    private func appendNotes(to record: inout ClinicalRecord) {
        let notes = node["note"]?.array.compactMap { $0["text"]?.string } ?? []
        if !notes.isEmpty { record.text = ([record.text].compactMap(\.self) + notes).joined(separator: "\n") }
    }

    private func appendReasons(to record: inout ClinicalRecord) {
        for reason in node["reasonCode"]?.array ?? [] {
            if let text = conceptText(reason) { record.attributes.append(RecordAttribute("reason", text)) }
        }
        for reason in node["reasonReference"]?.array ?? [] {
            if let display = reason["display"]?.string {
                record.attributes.append(RecordAttribute("reason", display))
            } else if let reference = reason["reference"]?.string {
                // Resolved to the referenced resource's title when the input holds it (FHIRReferenceResolver).
                record.attributes.append(RecordAttribute(FHIRReferenceResolver.reasonReference, reference))
            }
        }
    }
}
