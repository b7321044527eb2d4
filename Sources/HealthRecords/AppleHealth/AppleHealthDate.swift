import Foundation

/// Reads Apple Health's `2016-04-18 08:25:32 -0700` timestamps without a date formatter (millions of
/// them), keeping the local calendar day and hour as written.
struct AppleHealthDate {
    /// Days since 1970-01-01 of the local calendar day.
    let day: Int
    /// Seconds since local midnight.
    let secondOfDay: Int
    /// The UTC offset in seconds.
    let offset: Int

    init?(_ text: String) {
        var utf8 = text.utf8.makeIterator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(25)
        while let byte = utf8.next() { bytes.append(byte) }
        guard bytes.count >= 19 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2),
            FHIRDate.isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        self.day = Self.daysFromCivil(year: year, month: month, day: day)
        secondOfDay = hour * 3600 + minute * 60 + second
        if bytes.count >= 25, bytes[20] == UInt8(ascii: "+") || bytes[20] == UInt8(ascii: "-"),
            let zone = number(21, 4)
        {
            offset = ((zone / 100) * 3600 + (zone % 100) * 60) * (bytes[20] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            offset = 0
        }
    }

    /// The hour since 1970-01-01 00:00 local time.
    var hour: Int { day * 24 + secondOfDay / 3600 }

    /// The instant.
    var date: Date {
        Date(timeIntervalSince1970: TimeInterval(day * 86_400 + secondOfDay - offset))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The local calendar day (UTC midnight of that day) for a day number.
    static func midnight(ofDay day: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day * 86_400))
    }
}
