import Foundation
import HealthRecords
import Testing

@Suite struct FHIRDateTests {
    @Test(arguments: [
        ("2012", "2012-01-01T00:00:00Z"),
        ("2012-09", "2012-09-01T00:00:00Z"),
        ("2012-09-17", "2012-09-17T00:00:00Z"),
        ("2014-10-09T14:58:00+11:00", "2014-10-09T03:58:00Z"),
        ("1987-11-19T00:22:16.824-05:00", "1987-11-19T05:22:16Z"),
        ("2020-02-29T05:57:27Z", "2020-02-29T05:57:27Z"),
    ])
    func parsesFHIRDateForms(text: String, iso: String) throws {
        let date = try #require(FHIRDate.parse(text))
        let expected = try #require(ISO8601DateFormatter().date(from: iso))
        #expect(abs(date.timeIntervalSince(expected)) < 1)
    }

    @Test(arguments: ["", "20x2", "2012-9-1", "2012-09-17T25", "yesterday"])
    func rejectsNonDates(text: String) {
        #expect(FHIRDate.parse(text) == nil)
    }
}
