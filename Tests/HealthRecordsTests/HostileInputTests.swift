import Foundation
import HealthRecords
import TestSupport
import Testing
import ZIPFoundation

#if canImport(Glibc)
import Glibc
#endif

/// Hostile and broken input (issue 22): each case gives a clear error that says where, never what, in
/// bounded memory and time, or is read with the bad value left out.
@Suite struct HostileInputTests {
    /// The process's peak resident set, in MiB.
    static func peakMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) / 1024
    }

    @Test("deeply nested XML is refused at the depth limit, in bounded memory, naming the line only")
    func deepNesting() throws {
        let depth = 20_000
        let xml =
            "<ClinicalDocument>" + String(repeating: "<secretTag>", count: depth)
            + String(repeating: "</secretTag>", count: depth) + "</ClinicalDocument>"
        let before = Self.peakMiB()
        let error = try #require(throws: IngestError.self) {
            try CCDAParser().parse(data: Data(xml.utf8), displayName: "deep.xml")
        }
        #expect(error.code == .malformed)
        #expect(error.description.contains("nested at most"))
        #expect(!error.description.contains("secretTag"))
        // 20,000 deep took 2.9 GB when every node kept its full path.
        #expect(Self.peakMiB() - before < 300)
        let health =
            "<HealthData>" + String(repeating: "<secretTag>", count: depth)
            + String(repeating: "</secretTag>", count: depth)
            + "</HealthData>"
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("export.xml")
        try health.write(to: file, atomically: true, encoding: .utf8)
        let healthError = try #require(throws: IngestError.self) { try AppleHealthParser().parse(contentsOf: file) }
        #expect(healthError.description.contains("nested at most"))
    }

    @Test(
        "impossible dates are refused by every reader, never rolled over",
        arguments: ["2023-02-30", "2023-13-45T99:99:99Z", "0000-00-00", "2023-02-29", "2023-04-31T10:00:00Z"]
    )
    func impossibleDates(text: String) {
        #expect(FHIRDate.parse(text) == nil)
        let compact = text.prefix(10).replacingOccurrences(of: "-", with: "")
        #expect(CCDADate.parse(compact) == nil, "\(compact)")
    }

    @Test("real edge dates are kept: 29 February of a leap year, a leap second, the last day of a month")
    func edgeDates() throws {
        #expect(FHIRDate.parse("2024-02-29").map(FHIRDate.day) == "2024-02-29")
        #expect(FHIRDate.parse("2023-12-31T23:59:60Z") != nil)
        #expect(FHIRDate.parse("2000-02-29").map(FHIRDate.day) == "2000-02-29")
        #expect(FHIRDate.parse("1900-02-29") == nil)
        #expect(CCDADate.parse("20240229").map(FHIRDate.day) == "2024-02-29")
    }

    @Test("NaN, infinity and 1e400 are left out of CSV and Fitbit values; the other values of the file are read")
    func nonFiniteNumbers() throws {
        let csv = """
            Date,Meal,Calories,Fat (g),Sodium (mg)
            2024-03-01,Breakfast,NaN,inf,120
            2024-03-02,Lunch,1e400,12,-inf
            2024-03-03,Dinner,640,20,900
            """
        let parsed = try TabularParser().parse(data: Data(csv.utf8), displayName: "mfp.csv")
        #expect(!parsed.records.isEmpty)
        for record in parsed.records {
            for value in [record.value?.quantity?.value] + record.components.map(\.value?.quantity?.value) {
                if let value { #expect(value.isFinite) }
            }
        }
        #expect(
            parsed.records.contains { record in
                record.components.contains { $0.value?.quantity?.value == 900 }
                    || record.value?.quantity?.value == 640
            }
        )
        // JSON cannot write NaN, but 1e400 reads as infinity.
        let observation = """
            {"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "Weight"},
             "effectiveDateTime": "2024-01-01", "valueQuantity": {"value": 1e400, "unit": "kg"}}
            """
        do {
            let fhir = try FHIRParser().parse(data: Data(observation.utf8), displayName: "o.json")
            #expect(fhir.records.first?.value == nil)
        } catch let error as IngestError {
            // This platform's JSON reader refuses the number: the file is named, not the value.
            #expect(error.code == .malformed)
            #expect(error.description.contains("o.json"))
        }
    }

    @Test("a FIFO and a link to a device are refused before any byte is read; a regular file through a link is read")
    func nonRegularFiles() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("records.json")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let reader = RecordSourceReader()
        let fifoError = try #require(throws: IngestError.self) { try reader.read(fifo) }
        #expect(fifoError.code == .unreadable)
        #expect(fifoError.description.contains("regular file"))
        let zero = folder.appendingPathComponent("zero.json")
        try FileManager.default.createSymbolicLink(atPath: zero.path, withDestinationPath: "/dev/zero")
        #expect(throws: IngestError.self) { try reader.read(zero) }
        let real = folder.appendingPathComponent("real.json")
        try #"{"resourceType": "Patient", "id": "p1"}"#.write(to: real, atomically: true, encoding: .utf8)
        let link = folder.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: real.path)
        #expect(try reader.read(link).records.count == 1)
    }

    @Test("a resourceFilePath that leaves the export is refused with one message, whether or not its target exists")
    func pathEscape() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let export = folder.appendingPathComponent("export")
        try FileManager.default.createDirectory(
            at: export.appendingPathComponent("clinical-records"),
            withIntermediateDirectories: true
        )
        let outside = folder.appendingPathComponent("outside.json")
        try #"{"resourceType": "AllergyIntolerance", "id": "a1", "code": {"text": "Someone else's allergy"}}"#.write(
            to: outside,
            atomically: true,
            encoding: .utf8
        )
        func attempt(_ path: String) throws -> IngestError {
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <HealthData locale="en_US"><ExportDate value="2024-01-01 10:00:00 +0000"/>
                <ClinicalRecord type="HKClinicalTypeIdentifierAllergyRecord" resourceFilePath="\(path)"/>
                </HealthData>
                """
            try xml.write(to: export.appendingPathComponent("export.xml"), atomically: true, encoding: .utf8)
            return try #require(throws: IngestError.self) {
                try AppleHealthParser().parse(contentsOf: export.appendingPathComponent("export.xml"))
            }
        }
        let existing = try attempt("/clinical-records/../../outside.json")
        let missing = try attempt("/clinical-records/../../no-such-file.json")
        let system = try attempt("/clinical-records/../../../../../../etc/passwd")
        #expect(existing.description == missing.description)
        #expect(existing.description == system.description)
        #expect(existing.description.contains("leaves it"))
        #expect(!existing.description.contains("outside"))
        // A link inside clinical-records that points outside is refused the same way.
        try FileManager.default.createSymbolicLink(
            atPath: export.appendingPathComponent("clinical-records/linked.json").path,
            withDestinationPath: outside.path
        )
        #expect(try attempt("/clinical-records/linked.json").description == existing.description)
    }

    @Test("a type name taken from the file is not printed: unknown resource types are counted as unrecognised")
    func unknownTypeNamesAreNotPrinted() throws {
        let bundle = """
            {"resourceType": "Bundle", "type": "collection", "entry": [
              {"resource": {"resourceType": "Jane Doe born 1970", "id": "x"}},
              {"resource": {"resourceType": "Organization", "id": "o"}}]}
            """
        let parsed = try FHIRParser().parse(data: Data(bundle.utf8), displayName: "b.json")
        #expect(parsed.skippedTypes["Organization"] == 1)
        #expect(!parsed.skippedTypes.keys.contains { $0.contains("Jane") })
    }

    @Test("a clinical-records entry that inflates past the limit is refused while inflating, in bounded memory")
    func zipBomb() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let zip = folder.appendingPathComponent("export.zip")
        let archive = try Archive(url: zip, accessMode: .create)
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <HealthData locale="en_US"><ExportDate value="2024-01-01 10:00:00 +0000"/>
            <ClinicalRecord type="HKClinicalTypeIdentifierAllergyRecord" resourceFilePath="/clinical-records/a.json"/>
            </HealthData>
            """
        let xmlData = Data(xml.utf8)
        try archive.addEntry(
            with: "apple_health_export/export.xml",
            type: .file,
            uncompressedSize: Int64(xmlData.count)
        ) { position, size in
            xmlData.subdata(in: Int(position)..<Int(position) + size)
        }
        // 64 MiB of spaces inflate from a few KiB.
        let size = 64 << 20
        let block = Data(repeating: 0x20, count: 1 << 20)
        try archive.addEntry(
            with: "apple_health_export/clinical-records/a.json",
            type: .file,
            uncompressedSize: Int64(size),
            compressionMethod: .deflate
        ) { _, count in
            count == block.count ? block : Data(repeating: 0x20, count: count)
        }
        let before = Self.peakMiB()
        let error = try #require(throws: IngestError.self) { try AppleHealthParser().parse(contentsOf: zip) }
        #expect(error.code == .tooLarge)
        #expect(error.description.contains("clinical record 1"))
        #expect(Self.peakMiB() - before < 200)
    }
}
