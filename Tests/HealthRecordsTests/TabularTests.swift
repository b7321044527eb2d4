import Foundation
import HealthRecords
import TestSupport
import Testing

/// CSV exports (Peloton, MyFitnessPal, Fitbit, mapped) and Fitbit archive JSON.
@Suite struct TabularTests {
    static let corpora = SharedData.packageRoot.appendingPathComponent("corpora")

    /// The CSV's rows as dictionaries, for files without quoted commas (ours), read without the parser.
    static func rows(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    @Test(
        "Peloton: one workout per row, with discipline, length and output",
        arguments: ["workouts.csv", "workouts-metric.csv"]
    )
    func peloton(file: String) throws {
        let url = Self.corpora.appendingPathComponent("peloton/\(file)")
        let rows = try Self.rows(url)
        let parsed = try RecordSourceReader().read(url)
        #expect(parsed.records.count == rows.count)
        for (row, record) in zip(rows, parsed.records) {
            #expect(record.kind == .workout)
            #expect(record.title.hasPrefix(try #require(row["Fitness Discipline"])))
            #expect(
                record.value?.quantity
                    == Quantity(value: try #require(row["Length (minutes)"].flatMap(Double.init)), unit: "min")
            )
            if let output = row["Total Output"].flatMap(Double.init) {
                #expect(
                    record.components.first { $0.title == "Total output" }?.value?.quantity
                        == Quantity(value: output, unit: "kJ")
                )
            }
            let distanceKey = file.contains("metric") ? "Distance (km)" : "Distance (mi)"
            if let distance = row[distanceKey].flatMap(Double.init) {
                let unit = file.contains("metric") ? "km" : "mi"
                #expect(
                    record.components.first { $0.title == "Distance" }?.value?.quantity
                        == Quantity(value: distance, unit: unit)
                )
            }
        }
    }

    @Test("MyFitnessPal: one nutrition record per day and meal, calories and sodium kept")
    func myFitnessPal() throws {
        let url = Self.corpora.appendingPathComponent("myfitnesspal/nutrition-summary.csv")
        let rows = try Self.rows(url)
        let parsed = try RecordSourceReader().read(url)
        #expect(parsed.records.count == rows.count)
        #expect(parsed.records.allSatisfy { $0.kind == .nutrition })
        let noted = try #require(rows.first { !($0["Note"] ?? "").isEmpty })
        let record = try #require(parsed.records.first { $0.text == noted["Note"] })
        #expect(
            record.value?.quantity
                == Quantity(value: try #require(noted["Calories"].flatMap(Double.init)), unit: "kcal")
        )
        #expect(
            record.components.first { $0.title == "Sodium" }?.value?.quantity
                == Quantity(value: try #require(noted["Sodium (mg)"].flatMap(Double.init)), unit: "mg")
        )
        #expect(FHIRDate.day(try #require(record.date)) == noted["Date"])
    }

    @Test("a CSV with its column mapping: components with units and codes, dates in the mapping's zone")
    func mappedCSV() throws {
        let url = Self.corpora.appendingPathComponent("home-measurements/blood-pressure.csv")
        let rows = try Self.rows(url)
        let parsed = try RecordSourceReader().read(url)
        #expect(parsed.records.count == rows.count)
        let first = try #require(parsed.records.first)
        #expect(first.title == "Home blood pressure")
        #expect(first.category == "vital-signs")
        let systolic = try #require(first.components.first { $0.codes.first?.code == "8480-6" })
        #expect(
            systolic.value?.quantity
                == Quantity(value: try #require(rows[0]["Systolic"].flatMap(Double.init)), unit: "mm[Hg]")
        )
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "America/Chicago")
        formatter.dateFormat = "MM/dd/yyyy HH:mm"
        #expect(first.date == formatter.date(from: try #require(rows[0]["Measured at"])))
        #expect(!RecordSourceReader().canRead(url.deletingPathExtension().appendingPathExtension("mapping.json")))
    }

    @Test("a repeated row stays two records with distinct identifiers")
    func repeatedRow() throws {
        let row = "2024-02-01 06:00 (EST),Cycling,20,Morning ride"
        let text = "Workout Timestamp,Fitness Discipline,Length (minutes),Title\n\(row)\n\(row)\n"
        let parsed = try TabularParser().parse(data: Data(text.utf8), displayName: "p.csv")
        #expect(parsed.records.count == 2)
        #expect(Set(parsed.records.map(\.id)).count == 2)
        #expect(parsed.records.map(\.provenance.location) == ["line 2", "line 3"])
    }

    @Test("a missing column names the file, the line and the column, and echoes no value")
    func missingColumn() throws {
        let text = "Date,Calories,Sodium (mg)\n2024-03-01,512,Secretvalue\n"
        let error = try #require(throws: IngestError.self) {
            try TabularParser().parse(data: Data(text.utf8), displayName: "me/diary.csv")
        }
        #expect(error.code == .unsupportedFormat)
        let mfp = "Date,Meal,Calories\n2024-03-01,,512\n"
        let parsed = try TabularParser().parse(data: Data(mfp.utf8), displayName: "diary.csv")
        #expect(parsed.records.map(\.title) == ["Meal (food diary)"])
        let peloton = "Workout Timestamp,Fitness Discipline,Title\n2024-02-01 06:00 (EST),Cycling,Secretride\n"
        let missing = try #require(throws: IngestError.self) {
            try TabularParser().parse(data: Data(peloton.utf8), displayName: "me/peloton.csv")
        }
        #expect(missing.code == .missingField)
        #expect(
            missing.description
                == #"missing field in me/peloton.csv at line 1: expected a column named "Length (minutes)""#
        )
        #expect(!missing.description.contains("Secretride"))
    }

    @Test(
        "Fitbit archive files: per-minute series summed per day, daily values, sleep and exercise",
        .enabled(if: SharedData.isAvailable, "needs ../shared/corpora")
    )
    func fitbit() throws {
        let folder = SharedData.corpus("fitbit")
        for url in SharedData.files(under: folder, extensions: ["json", "csv"]) {
            let parsed = try RecordSourceReader().read(url)
            #expect(!parsed.records.isEmpty, "\(url.lastPathComponent)")
        }
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("distance.json")))
                as? [[String: Any]]
        )
        let centimetres = entries.compactMap { ($0["value"] as? String).flatMap(Double.init) }.reduce(0, +)
        let distance = try RecordSourceReader().read(folder.appendingPathComponent("distance.json")).records
        #expect(distance.count == 1)
        #expect(distance.first?.value?.quantity == Quantity(value: (centimetres / 100 * 10).rounded() / 10, unit: "m"))

        let sleepEntries = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("sleep.json")))
                as? [[String: Any]]
        )
        let sleep = try RecordSourceReader().read(folder.appendingPathComponent("sleep.json")).records
        #expect(sleep.count == sleepEntries.count)
        #expect(sleep.first?.value?.quantity?.value == sleepEntries.first?["minutesAsleep"] as? Double)

        let exercise = try RecordSourceReader().read(folder.appendingPathComponent("exercise.json")).records
        #expect(exercise.allSatisfy { $0.kind == .workout })
        let score = try RecordSourceReader().read(folder.appendingPathComponent("sleep_score.csv")).records
        let scoreRows = try Self.rows(folder.appendingPathComponent("sleep_score.csv"))
        #expect(score.map { $0.value?.quantity?.value } == scoreRows.map { $0["overall_score"].flatMap(Double.init) })
    }
}
