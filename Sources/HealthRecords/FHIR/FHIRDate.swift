public import Foundation

/// Parses FHIR `date`, `dateTime` and `instant` values (`2012`, `2012-09`, `2012-09-17`,
/// `2012-09-17T14:58:00+11:00`, with optional fractional seconds).
///
/// Partial dates are read as the start of the period they name, in UTC.
public enum FHIRDate {
    /// The date a FHIR date or dateTime string names, or nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4) else { return nil }
        var components = DateComponents(
            calendar: calendar,
            timeZone: TimeZone(secondsFromGMT: 0),
            year: year,
            month: 1,
            day: 1
        )
        if utf8.count >= 7 {
            guard utf8[4] == UInt8(ascii: "-"), let month = number(5..<7) else { return nil }
            components.month = month
        }
        if utf8.count >= 10 {
            guard utf8[7] == UInt8(ascii: "-"), let day = number(8..<10) else { return nil }
            components.day = day
        }
        var offsetSeconds = 0
        if utf8.count > 10 {
            guard utf8[10] == UInt8(ascii: "T"), let hour = number(11..<13), let minute = number(14..<16) else {
                return nil
            }
            components.hour = hour
            components.minute = minute
            var index = 16
            if utf8.count >= 19, utf8[16] == UInt8(ascii: ":"), let second = number(17..<19) {
                components.second = second
                index = 19
            }
            if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
                index += 1
                var fraction = 0.0
                var scale = 0.1
                while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                    fraction += Double(utf8[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
                components.nanosecond = Int(fraction * 1e9)
            }
            if index < utf8.count {
                let sign = utf8[index]
                if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                    guard let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6) else {
                        return nil
                    }
                    offsetSeconds = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
                } else if sign != UInt8(ascii: "Z") {
                    return nil
                }
            }
        }
        guard let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(TimeInterval(-offsetSeconds))
    }

    /// `2012-09-17`: the calendar day of a date in UTC, as records are cited.
    public static func day(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()
}
