import Foundation
import HealthRecords
import TestSupport
import Testing

/// The reader picks a parser by extension and content, and refuses what it cannot read before reading.
@Suite struct RecordSourceReaderTests {
    @Test(
        "every file under ../shared/corpora parses through the reader",
        .enabled(if: SharedData.isAvailable, "needs ../shared/corpora")
    )
    func everySharedFile() throws {
        let reader = RecordSourceReader()
        let files = SharedData.files(
            under: SharedData.root.appendingPathComponent("corpora"),
            extensions: ["json", "ndjson", "xml", "csv", "md", "txt", "zip", "pdf"]
        )
        #expect(files.count >= 100)
        for file in files where reader.canRead(file) {
            if file.lastPathComponent == "log.ndjson" {
                // A bulk export's log: JSON, but not FHIR.
                #expect(throws: IngestError.self) { try reader.read(file) }
                continue
            }
            let parsed = try reader.read(file)
            #expect(parsed.file == file.lastPathComponent)
        }
    }

    @Test("every file under corpora/ parses through the reader, with records")
    func everyProjectFile() throws {
        let reader = RecordSourceReader()
        let files = SharedData.files(
            under: SharedData.packageRoot.appendingPathComponent("corpora"),
            extensions: ["json", "csv", "md", "txt", "zip", "pdf", "xml"]
        ).filter { !$0.path.contains("/corpora/generated/") }
        #expect(files.count >= 12)
        for file in files where reader.canRead(file) {
            let parsed = try reader.read(file)
            #expect(!parsed.records.isEmpty, "\(file.lastPathComponent)")
        }
    }

    @Test(
        "a 2 GB file in a format that is read whole is refused as too large before it is read",
        arguments: ["big.json", "big.csv", "big.txt", "big.pdf", "Big.ndjson"]
    )
    func tooLarge(name: String) throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(name)
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data("[".utf8)))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 2 << 30)  // sparse: no disk space used
        try handle.close()
        let error = try #require(throws: IngestError.self) { try RecordSourceReader().read(url) }
        #expect(error.code == .tooLarge)
        #expect(error.description.contains(name))
    }

    @Test("XML is dispatched by its root element; unknown XML is unsupported")
    func xmlDispatch() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let health = folder.appendingPathComponent("a.xml")
        try Data(
            """
            <?xml version="1.0"?>
            <!-- comment before the root -->
            <HealthData locale="en_US"><ActivitySummary dateComponents="2024-01-02" appleStandHours="9"/></HealthData>
            """.utf8
        ).write(to: health)
        #expect(try RecordSourceReader().read(health).records.map(\.title) == ["Activity rings"])
        let other = folder.appendingPathComponent("b.xml")
        try Data("<rss><channel/></rss>".utf8).write(to: other)
        let error = try #require(throws: IngestError.self) { try RecordSourceReader().read(other) }
        #expect(error.code == .unsupportedFormat)
    }
}
