import Foundation
import HealthRecords
import Testing

/// Bad FHIR input fails with an error that says where, and never what.
@Suite struct FHIRErrorTests {
    @Test("a truncated bundle is rejected as malformed, naming the file and not echoing content")
    func truncatedBundle() throws {
        let text =
            #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Condition","id":"c1","code":{"text":"Secretcondition"#
        let error = try #require(throws: IngestError.self) {
            try FHIRParser().parse(data: Data(text.utf8), displayName: "alice/bundle.json")
        }
        #expect(error.code == .malformed)
        #expect(error.description.contains("alice/bundle.json"))
        #expect(!error.description.contains("Secretcondition"))
    }

    @Test("a malformed NDJSON line is reported by line number")
    func ndjsonLine() throws {
        let text = """
            {"resourceType":"Condition","id":"a","code":{"text":"Asthma"}}
            {"resourceType":"Condition","id":"b","code":{"text":"Privatevalue"
            """
        let error = try #require(throws: IngestError.self) {
            try FHIRParser().parse(data: Data(text.utf8), displayName: "c.ndjson", ndjson: true)
        }
        #expect(error.location?.hasPrefix("line 2") == true)
        #expect(!error.description.contains("Privatevalue"))
    }

    @Test("a resource without resourceType is located by its JSON path")
    func missingResourceType() throws {
        let text =
            #"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"p"}},{"resource":{"id":"x"}}]}"#
        let error = try #require(throws: IngestError.self) {
            try FHIRParser().parse(data: Data(text.utf8), displayName: "b.json")
        }
        #expect(error.code == .unexpectedStructure)
        #expect(error.location == "$.entry[1].resource")
    }

    @Test("Latin-1 bytes are an encoding error with the line; UTF-16 with a BOM is read")
    func encodings() throws {
        var latin1 = Data(#"{"resourceType":"Patient","id":"p","#.utf8)
        latin1.append(contentsOf: [0x0A])
        latin1.append(contentsOf: Array(#""name":[{"family":"M"#.utf8) + [0xFC] + Array(#"ller"}]}"#.utf8))
        let error = try #require(throws: IngestError.self) {
            try FHIRParser().parse(data: latin1, displayName: "latin1.json")
        }
        #expect(error.code == .unsupportedEncoding)
        #expect(error.location == "line 2")

        let json = #"{"resourceType":"Condition","id":"u16","code":{"text":"Asthma"}}"#
        var utf16 = Data([0xFF, 0xFE])
        for unit in json.utf16 { utf16.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let parsed = try FHIRParser().parse(data: utf16, displayName: "utf16.json")
        #expect(parsed.records.map(\.title) == ["Asthma"])
    }

    @Test("entered-in-error resources are dropped and counted; unknown types are counted")
    func droppedAndSkipped() throws {
        let text = """
            {"resourceType":"Bundle","entry":[
              {"resource":{"resourceType":"Observation","id":"o1","status":"entered-in-error","code":{"text":"x"}}},
              {"resource":{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"Potassium"},
               "valueQuantity":{"value":6.4,"unit":"mmol/L"}}},
              {"resource":{"resourceType":"Claim","id":"cl"}}]}
            """
        let parsed = try FHIRParser().parse(data: Data(text.utf8), displayName: "b.json")
        #expect(parsed.records.map(\.id.rawValue) == ["Observation/o2"])
        #expect(parsed.records.first?.value?.quantity == Quantity(value: 6.4, unit: "mmol/L"))
        #expect(parsed.droppedCount == 1)
        #expect(parsed.skippedTypes == ["Claim": 1])
    }
}
