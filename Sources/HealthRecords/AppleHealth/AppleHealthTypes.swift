/// What HealthRecords knows about HealthKit type identifiers: names, LOINC codes, and whether samples add up.
enum AppleHealthTypes {
    /// `HKQuantityTypeIdentifierHeartRate` → `Heart rate`.
    static func displayName(_ identifier: String) -> String {
        var base = identifier
        for prefix in [
            "HKQuantityTypeIdentifier", "HKCategoryTypeIdentifier", "HKDataType", "HKWorkoutActivityType",
            "HKCorrelationTypeIdentifier",
        ] where base.hasPrefix(prefix) {
            base = String(base.dropFirst(prefix.count))
        }
        var words: [String] = []
        var current = ""
        let characters = Array(base)
        for (index, character) in characters.enumerated() {
            let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
            if character.isUppercase, !current.isEmpty,
                current.last?.isLowercase == true || (current.last?.isUppercase == true && nextIsLower)
            {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        guard let first = words.first else { return identifier }
        let rest = words.dropFirst().map { $0.count > 1 && $0.allSatisfy(\.isUppercase) ? $0 : $0.lowercased() }
        return ([first] + rest).joined(separator: " ")
    }

    /// Types whose samples are amounts over an interval: a day's value is their total.
    static func isCumulative(_ identifier: String) -> Bool {
        if identifier.hasPrefix("HKQuantityTypeIdentifierDietary") { return true }
        if identifier.hasPrefix("HKQuantityTypeIdentifierDistance") { return true }
        return cumulative.contains(identifier)
    }

    private static let cumulative: Set<String> = [
        "HKQuantityTypeIdentifierStepCount", "HKQuantityTypeIdentifierActiveEnergyBurned",
        "HKQuantityTypeIdentifierBasalEnergyBurned", "HKQuantityTypeIdentifierFlightsClimbed",
        "HKQuantityTypeIdentifierAppleExerciseTime", "HKQuantityTypeIdentifierAppleStandTime",
        "HKQuantityTypeIdentifierAppleMoveTime", "HKQuantityTypeIdentifierPushCount",
        "HKQuantityTypeIdentifierSwimmingStrokeCount", "HKQuantityTypeIdentifierNikeFuel",
        "HKQuantityTypeIdentifierNumberOfTimesFallen", "HKQuantityTypeIdentifierTimeInDaylight",
        "HKQuantityTypeIdentifierNumberOfAlcoholicBeverages", "HKQuantityTypeIdentifierInhalerUsage",
        "HKQuantityTypeIdentifierUVExposure", "HKQuantityTypeIdentifierPhysicalEffort",
    ]

    /// The record kind and observation category a type's daily summary gets.
    static func kindAndCategory(_ identifier: String) -> (RecordKind, String?) {
        if identifier.hasPrefix("HKQuantityTypeIdentifierDietary") { return (.nutrition, nil) }
        if vitalSigns.contains(identifier) { return (.observation, "vital-signs") }
        if laboratory.contains(identifier) { return (.observation, "laboratory") }
        return (.activity, nil)
    }

    private static let vitalSigns: Set<String> = [
        "HKQuantityTypeIdentifierHeartRate", "HKQuantityTypeIdentifierRestingHeartRate",
        "HKQuantityTypeIdentifierWalkingHeartRateAverage", "HKQuantityTypeIdentifierHeartRateVariabilitySDNN",
        "HKQuantityTypeIdentifierBloodPressureSystolic", "HKQuantityTypeIdentifierBloodPressureDiastolic",
        "HKQuantityTypeIdentifierRespiratoryRate", "HKQuantityTypeIdentifierOxygenSaturation",
        "HKQuantityTypeIdentifierBodyTemperature", "HKQuantityTypeIdentifierBodyMass",
        "HKQuantityTypeIdentifierBodyMassIndex", "HKQuantityTypeIdentifierHeight",
        "HKQuantityTypeIdentifierBodyFatPercentage", "HKQuantityTypeIdentifierLeanBodyMass",
        "HKQuantityTypeIdentifierWaistCircumference", "HKQuantityTypeIdentifierVO2Max",
        "HKQuantityTypeIdentifierBasalBodyTemperature", "HKQuantityTypeIdentifierAppleSleepingWristTemperature",
    ]

    private static let laboratory: Set<String> = [
        "HKQuantityTypeIdentifierBloodGlucose", "HKQuantityTypeIdentifierBloodAlcoholContent",
        "HKQuantityTypeIdentifierInsulinDelivery", "HKQuantityTypeIdentifierPeripheralPerfusionIndex",
    ]

    /// LOINC codes for the types that have a clear one.
    static let loinc: [String: (code: String, display: String)] = [
        "HKQuantityTypeIdentifierHeartRate": ("8867-4", "Heart rate"),
        "HKQuantityTypeIdentifierRestingHeartRate": ("40443-4", "Heart rate --resting"),
        "HKQuantityTypeIdentifierStepCount": ("55423-8", "Number of steps"),
        "HKQuantityTypeIdentifierBodyMass": ("29463-7", "Body weight"),
        "HKQuantityTypeIdentifierHeight": ("8302-2", "Body height"),
        "HKQuantityTypeIdentifierBodyMassIndex": ("39156-5", "Body mass index (BMI) [Ratio]"),
        "HKQuantityTypeIdentifierBloodPressureSystolic": ("8480-6", "Systolic blood pressure"),
        "HKQuantityTypeIdentifierBloodPressureDiastolic": ("8462-4", "Diastolic blood pressure"),
        "HKQuantityTypeIdentifierRespiratoryRate": ("9279-1", "Respiratory rate"),
        "HKQuantityTypeIdentifierOxygenSaturation": ("59408-5", "Oxygen saturation by pulse oximetry"),
        "HKQuantityTypeIdentifierBodyTemperature": ("8310-5", "Body temperature"),
        "HKQuantityTypeIdentifierBloodGlucose": ("2339-0", "Glucose [Mass/volume] in Blood"),
        "HKQuantityTypeIdentifierBodyFatPercentage": ("41982-0", "Percentage of body fat Measured"),
        "HKQuantityTypeIdentifierDietaryEnergyConsumed": ("9052-2", "Calorie intake total"),
    ]

    /// The type's codes: HealthKit's identifier, and LOINC when there is one.
    static func codes(_ identifier: String) -> [ClinicalCode] {
        var codes = [ClinicalCode(system: .healthKit, code: identifier, display: displayName(identifier))]
        if let code = loinc[identifier] {
            codes.append(ClinicalCode(system: .loinc, code: code.code, display: code.display))
        }
        return codes
    }
}
