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
        guard abs(offsetSeconds) <= 14 * 3600, let date = strictDate(from: components) else { return nil }
        return date.addingTimeInterval(TimeInterval(-offsetSeconds))
    }

    /// Whether a calendar date and time exist: year 1–9999, month 1–12, a day the month has (29 February
    /// only in leap years), hour 0–23, minute 0–59, second 0–60 (a leap second). `Calendar` would roll
    /// `2023-02-30` over to 2 March, `2023-13-45T99:99:99Z` into 2024 and `0000-00-00` to year −1.
    public static func isValid(
        year: Int,
        month: Int,
        day: Int,
        hour: Int = 0,
        minute: Int = 0,
        second: Int = 0
    ) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// The date of components that ``isValid(year:month:day:hour:minute:second:)`` accepts; nil for
    /// one that does not exist, never a rolled-over date.
    static func strictDate(from components: DateComponents) -> Date? {
        guard let year = components.year,
            isValid(
                year: year,
                month: components.month ?? 1,
                day: components.day ?? 1,
                hour: components.hour ?? 0,
                minute: components.minute ?? 0,
                second: components.second ?? 0
            )
        else { return nil }
        var fitted = components
        // A leap second is read as the last second of its minute.
        if fitted.second == 60 { fitted.second = 59 }
        return calendar.date(from: fitted)
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
