import Foundation

/// MyFitnessPal's "Nutrition Summary" CSV: one record per day and meal, calories as the value and the
/// nutrients as components.
struct MyFitnessPalReader {
    let table: CSVTable

    /// Nutrient columns and their units (MyFitnessPal writes vitamins and minerals as % of daily value).
    static let nutrients: [(column: String, title: String, unit: String)] = [
        ("Fat (g)", "Fat", "g"), ("Saturated Fat", "Saturated fat", "g"),
        ("Polyunsaturated Fat", "Polyunsaturated fat", "g"), ("Monounsaturated Fat", "Monounsaturated fat", "g"),
        ("Trans Fat", "Trans fat", "g"), ("Cholesterol", "Cholesterol", "mg"), ("Sodium (mg)", "Sodium", "mg"),
        ("Potassium", "Potassium", "mg"), ("Carbohydrates (g)", "Carbohydrates", "g"), ("Fiber", "Fiber", "g"),
        ("Sugar", "Sugar", "g"), ("Protein (g)", "Protein", "g"), ("Vitamin A", "Vitamin A", "% DV"),
        ("Vitamin C", "Vitamin C", "% DV"), ("Calcium", "Calcium", "% DV"), ("Iron", "Iron", "% DV"),
    ]

    func records() throws -> [ClinicalRecord] {
        let date = try table.column("Date")
        let meal = try table.column("Meal")
        let calories = try table.column("Calories")
        let note = table.optionalColumn("Note")
        let nutrientColumns = Self.nutrients.map { ($0, table.optionalColumn($0.column)) }
        var records: [ClinicalRecord] = []
        for (line, fields) in table.rows {
            guard let dayText = CSVTable.field(fields, date) else {
                throw IngestError(.missingField, file: table.file, location: "line \(line)", expected: "a Date value")
            }
            guard let day = TabularDate.parse(dayText) else {
                throw IngestError(
                    .unexpectedStructure,
                    file: table.file,
                    location: "line \(line), column \"Date\"",
                    expected: "a date such as 2024-01-31"
                )
            }
            let mealName = CSVTable.field(fields, meal) ?? "Meal"
            var record = ClinicalRecord(
                id: RecordID("MyFitnessPal/\(FHIRDate.day(day))/\(mealName)"),
                kind: .nutrition,
                title: "\(mealName) (food diary)",
                date: day,
                provenance: Provenance(
                    sourceFile: table.file,
                    resourceType: "MyFitnessPal meal",
                    location: "line \(line)"
                )
            )
            if let energy = CSVTable.number(CSVTable.field(fields, calories)) {
                record.value = .quantity(Quantity(value: energy, unit: "kcal"))
            }
            for (nutrient, index) in nutrientColumns {
                guard let amount = CSVTable.number(CSVTable.field(fields, index)) else { continue }
                record.components.append(
                    RecordComponent(
                        title: nutrient.title,
                        value: .quantity(Quantity(value: amount, unit: nutrient.unit))
                    )
                )
            }
            record.text = CSVTable.field(fields, note)
            records.append(record)
        }
        return records
    }
}
