import Foundation
import HealthRecords
import TestSupport
import Testing

/// Bad C-CDA input fails with an error that says where, never what.
@Suite struct CCDAErrorTests {
    static let section = """
        <section><code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergies</title>
        <entry><act classCode="ACT" moodCode="EVN"><entryRelationship typeCode="SUBJ">
        <observation classCode="OBS" moodCode="EVN"><value xsi:type="CD" code="419199007"/>
        <participant typeCode="CSM"><participantRole><playingEntity>
        <code code="70618" codeSystem="2.16.840.1.113883.6.88" displayName="Penicillinsecret"/>
        </playingEntity></participantRole></participant></observation></entryRelationship></act></entry></section>
        """

    @Test("a well-formed section parses; the same section truncated is malformed, with line, column and depth")
    func truncated() throws {
        let whole = try CCDAParser().parse(data: Data(Self.section.utf8), displayName: "allergies.xml")
        #expect(whole.records.map(\.title) == ["Penicillinsecret"])
        let cut = String(Self.section.prefix(Self.section.count - 40))
        let error = try #require(throws: IngestError.self) {
            try CCDAParser().parse(data: Data(cut.utf8), displayName: "p/allergies.xml")
        }
        #expect(error.code == .malformed)
        #expect(error.description.contains("p/allergies.xml"))
        #expect(error.location?.contains("line") == true)
        #expect(error.location?.contains("element depth") == true)
        // The file's own tag names are not printed.
        #expect(error.description.contains("section") == false)
        #expect(!error.description.contains("Penicillinsecret"))
    }

    @Test("UTF-16 with a byte-order mark is read; Latin-1 bytes in a UTF-8 document are an encoding error")
    func encodings() throws {
        var utf16 = Data([0xFF, 0xFE])
        for unit in Self.section.utf16 { utf16.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let parsed = try CCDAParser().parse(data: utf16, displayName: "u16.xml")
        #expect(parsed.records.map(\.title) == ["Penicillinsecret"])

        var latin1 = Data(Self.section.replacingOccurrences(of: "Penicillinsecret", with: "Penicillin").utf8)
        let marker = try #require(latin1.range(of: Data("<title>Allergies".utf8)))
        latin1.insert(0xE9, at: marker.upperBound)
        let error = try #require(throws: IngestError.self) {
            try CCDAParser().parse(data: latin1, displayName: "l1.xml")
        }
        #expect([.unsupportedEncoding, .malformed].contains(error.code))
        #expect(error.location?.hasPrefix("line 1") == true, "\(error.location ?? "")")
    }

    @Test("XML that is not CDA is an unsupported format")
    func notCDA() throws {
        let error = try #require(throws: IngestError.self) {
            try CCDAParser().parse(data: Data("<gpx><trk/></gpx>".utf8), displayName: "route.xml")
        }
        #expect(error.code == .unsupportedFormat)
    }
}
