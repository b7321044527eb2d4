public import Foundation

/// Parses HL7 V3 `TS` values as C-CDA writes them: `2010`, `20100103`, `201001030908-0500`,
/// `20120806103000.123+0500`.
///
/// A value without a time zone is read as UTC. Partial values are read as the start of the period.
public enum CCDADate {
    /// The date a TS string names, or nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var digits: [Int] = []
        var index = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            digits.append(Int(bytes[index] - 48))
            index += 1
        }
        guard digits.count >= 4 else { return nil }
        func number(_ start: Int, _ length: Int, default value: Int) -> Int {
            guard start + length <= digits.count else { return value }
            return digits[start..<(start + length)].reduce(0) { $0 * 10 + $1 }
        }
        var components = DateComponents(
            calendar: FHIRDate.calendar,
            timeZone: TimeZone(secondsFromGMT: 0),
            year: number(0, 4, default: 0),
            month: number(4, 2, default: 1),
            day: number(6, 2, default: 1),
            hour: number(8, 2, default: 0),
            minute: number(10, 2, default: 0),
            second: number(12, 2, default: 0)
        )
        guard let month = components.month, (1...12).contains(month), let day = components.day, (1...31).contains(day)
        else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fraction = 0.0
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            components.nanosecond = Int(fraction * 1e9)
        }
        var offset = 0
        if index < bytes.count {
            let sign = bytes[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), index + 5 <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[(index + 1)..<(index + 5)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            offset = ((value / 100) * 3600 + (value % 100) * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        guard let date = FHIRDate.strictDate(from: components) else { return nil }
        return date.addingTimeInterval(TimeInterval(-offset))
    }
}
