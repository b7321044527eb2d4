import Testing

@testable import Guardrails

/// Values written in a message, normalized to one unit per measure.
@Suite struct MeasurementReaderTests {
    let reader = MeasurementReader()

    func values(_ measure: TextMeasurement.Measure, in text: String) -> [Double] {
        reader.measurements(in: text).filter { $0.measure == measure }.map(\.value)
    }

    @Test(arguments: [
        ("temp 40.2", 40.2), ("temperature of 104", 40.0), ("she has a fever of 39,5", 39.5),
        ("39.8°C this morning", 39.8), ("103F", 39.44), ("fièvre à 40", 40.0), ("fiebre de 38,6 grados", 38.6),
    ])
    func temperaturesAreReadInCelsius(text: String, celsius: Double) throws {
        let value = try #require(values(.temperature, in: text).first)
        #expect(abs(value - celsius) < 0.01)
    }

    @Test func numbersThatCannotBeBodyTemperaturesAreDropped() {
        #expect(values(.temperature, in: "it was 25 degrees outside").isEmpty)
        #expect(values(.temperature, in: "temperature of 12").isEmpty)
    }

    @Test func vitalsAreRead() {
        #expect(values(.oxygenSaturation, in: "SpO2 88%") == [88])
        #expect(values(.oxygenSaturation, in: "his sats are 91") == [91])
        #expect(values(.heartRate, in: "HR 140, RR 32") == [140])
        #expect(values(.respiratoryRate, in: "HR 140, RR 32") == [32])
        #expect(values(.heartRate, in: "pulse is 38") == [38])
        #expect(values(.systolicPressure, in: "BP 190/120") == [190])
        #expect(values(.diastolicPressure, in: "blood pressure is 85/50") == [50])
        #expect(values(.systolicPressure, in: "scored 3/10 on the quiz").isEmpty)
    }

    @Test func glucoseIsReadInMilligramsPerDecilitre() {
        #expect(values(.glucose, in: "blood sugar 35 mg/dL") == [35])
        #expect(values(.glucose, in: "my sugar is 2.1 mmol/L") == [2.1 * 18])
        #expect(values(.glucose, in: "glucose 3") == [54])
        #expect(values(.glucose, in: "sugars have been stubborn all day: 19.5 mmol/L") == [19.5 * 18])
    }

    @Test func inrKetonesAndHbA1cAreRead() throws {
        #expect(values(.inr, in: "INR this morning was 8.2") == [8.2])
        #expect(values(.ketones, in: "blood ketones as the sick day rules say and they're 2.1") == [2.1])
        let percent = try #require(values(.hba1c, in: "HbA1c 62 mmol/mol").first)
        #expect(abs(percent - 7.82) < 0.01)
        #expect(values(.hba1c, in: "A1c of 7.9%") == [7.9])
    }

    @Test(arguments: [
        ("a 3-month-old baby", 0.25), ("my 6 week old", 6.0 / 52), ("72-year-old man", 72.0), ("45F, 2 days of", 45.0),
        ("Dad is 80 and lives alone", 80.0), ("mon bébé de 2 mois", 2.0 / 12), ("mi abuela de 91 años", 91.0),
    ])
    func agesAreReadInYears(text: String, years: Double) throws {
        let value = try #require(values(.age, in: text).first)
        #expect(abs(value - years) < 0.001)
    }

    @Test(arguments: [
        "cough for 3 weeks", "enceinte de 30 semaines", "embarazada de 12 semanas", "depuis 2 mois",
        "desde hace 3 meses", "my sugar is 80", "103F",
    ])
    func durationsAndPregnancyWeeksAreNotAges(text: String) {
        #expect(values(.age, in: text).isEmpty)
    }
}
