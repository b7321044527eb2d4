import Foundation
import HealthRecords
import TestSupport
import Testing

/// Text, Markdown and PDF documents: lab lines become observations, the rest stays narrative.
@Suite struct DocumentTests {
    static let corpora = SharedData.packageRoot.appendingPathComponent("corpora")

    @Test(
        "lab result lines in the forms reports use",
        arguments: [
            ("Potassium 6.4 mmol/L 3.5–5.1 H", "Potassium", 6.4, "mmol/L", 3.5, 5.1, "H"),
            (
                "Potassium                  6.4       mmol/L       3.5–5.1           H", "Potassium", 6.4, "mmol/L",
                3.5, 5.1, "H"
            ),
            ("TSH 5.9 mIU/L 0.45-4.5 H", "TSH", 5.9, "mIU/L", 0.45, 4.5, "H"),
            ("Hemoglobin: 13.1 g/dL (12.0 - 15.5)", "Hemoglobin", 13.1, "g/dL", 12.0, 15.5, nil),
            ("WBC 7.8 x10^9/L 3.4-10.8", "WBC", 7.8, "x10^9/L", 3.4, 10.8, nil),
            ("Ferritin 9 ng/mL 15 to 150 Low", "Ferritin", 9, "ng/mL", 15, 150, "L"),
        ] as [(String, String, Double, String, Double, Double, String?)]
    )
    func labLines(
        line: String,
        name: String,
        value: Double,
        unit: String,
        low: Double,
        high: Double,
        flag: String?
    ) throws {
        let parsed = DocumentParser().parse(text: line, displayName: "lab.txt")
        let record = try #require(parsed.records.first { $0.kind == .observation })
        #expect(record.title == name)
        #expect(record.value?.quantity == Quantity(value: value, unit: unit))
        #expect(record.referenceRange?.low?.value == low)
        #expect(record.referenceRange?.high?.value == high)
        #expect(record.interpretation == flag)
        #expect(record.category == "laboratory")
    }

    @Test(
        "lines that are not lab results stay narrative",
        arguments: [
            "Page 1 of 2", "Collected: 2024-03-02     Reported: 2024-03-02", "Blood pressure 142/88 mmHg.",
            "Potassium was 6.4 mmol/L in March and has since", "Patient: Alex Rivera        DOB: 03/14/1967",
        ]
    )
    func narrativeLines(line: String) {
        let parsed = DocumentParser().parse(text: line, displayName: "letter.txt")
        #expect(parsed.records.allSatisfy { $0.kind == .note })
    }

    /// The lab lines of a report, read with a plain split on runs of two or more spaces.
    static func expectedLabs(_ text: String) -> [(name: String, value: Double, flag: String?)] {
        text.split(separator: "\n").compactMap { line in
            let columns = line.split(separator: "  ", omittingEmptySubsequences: true).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard columns.count >= 4, let value = Double(columns[1]), columns[3].contains("–") else { return nil }
            return (columns[0], value, columns.count > 4 ? columns[4] : nil)
        }
    }

    @Test(
        "the project's lab reports: each lab line is an observation with the report's date; the rest are notes",
        arguments: [
            "lab-reports/bmp-2024-03-02.pdf", "lab-reports/cbc-2025-01-20.pdf", "lab-reports/lipids-2023-06-11.txt",
        ]
    )
    func labReports(path: String) throws {
        let url = Self.corpora.appendingPathComponent(path)
        let text =
            url.pathExtension == "pdf"
            ? try PDFText.text(contentsOf: url, file: path) : try String(contentsOf: url, encoding: .utf8)
        let expected = Self.expectedLabs(text)
        #expect(expected.count >= 4)
        let parsed = try RecordSourceReader().read(url)
        let labs = parsed.records.filter { $0.kind == .observation }
        #expect(labs.map(\.title) == expected.map(\.name))
        #expect(labs.map { $0.value?.quantity?.value } == expected.map(\.value))
        #expect(labs.map(\.interpretation) == expected.map(\.flag))
        let day = String(path.suffix(from: path.index(path.endIndex, offsetBy: -14)).prefix(10))
        #expect(labs.allSatisfy { $0.date.map(FHIRDate.day) == day })
        #expect(parsed.records.contains { $0.kind == .note && $0.text?.contains("COMMENTS") == true })
    }

    @Test("a PDF letter stays narrative, one note per heading, with no lab observations")
    func letter() throws {
        let url = Self.corpora.appendingPathComponent("letters/cardiology-letter-2024-04-18.pdf")
        let parsed = try RecordSourceReader().read(url)
        #expect(parsed.records.allSatisfy { $0.kind == .note })
        let headings = parsed.records.compactMap { $0.text?.split(separator: "\n").first.map(String.init) }
        #expect(["HISTORY", "FINDINGS", "PLAN"].allSatisfy(headings.contains))
        #expect(parsed.records.allSatisfy { $0.date.map(FHIRDate.day) == "2024-04-18" })
    }

    @Test("Markdown headings become section titles")
    func markdown() throws {
        let url = Self.corpora.appendingPathComponent("lab-reports/thyroid-2022-11-05.md")
        let parsed = try RecordSourceReader().read(url)
        let tsh = try #require(parsed.records.first { $0.title == "TSH" })
        #expect(tsh.codes.first?.code == "3016-3")
        #expect(tsh.attribute("panel") == "Results")
        #expect(parsed.records.contains { $0.title.hasSuffix("Interpretation") })
    }

    @Test("Latin-1 text is an encoding error with its line; a broken PDF is malformed")
    func badDocuments() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("note.txt")
        try (Data("Line one\nCaf".utf8) + Data([0xE9]) + Data(" visit\n".utf8)).write(to: text)
        let encoding = try #require(throws: IngestError.self) { try RecordSourceReader().read(text) }
        #expect(encoding.code == .unsupportedEncoding)
        #expect(encoding.location == "line 2")
        let pdf = folder.appendingPathComponent("scan.pdf")
        try Data("%PDF-1.4\nnot really".utf8).write(to: pdf)
        let broken = try #require(throws: IngestError.self) { try RecordSourceReader().read(pdf) }
        #expect(broken.code == .malformed)
        #expect(broken.description.contains("scan.pdf"))
    }
}
