import Foundation

/// Dates as fitness and nutrition exports write them.
enum TabularDate {
    /// `2024-01-05`, `2024-01-05 07:30`, `2024-01-05 07:30 (EST)`, `2024-01-05 07:30 (-05)`, ISO 8601.
    static func parse(_ text: String) -> Date? {
        if let date = FHIRDate.parse(text) { return date }
        let parts = text.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count >= 2, parts[0].count == 10, let day = FHIRDate.parse(parts[0]) else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count >= 2 else { return nil }
        var seconds = clock[0] * 3600 + clock[1] * 60 + (clock.count > 2 ? clock[2] : 0)
        if parts.count == 3 {
            let zone = parts[2].trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            if let offset = Int(zone) {
                seconds -= offset * 3600
            } else if let timeZone = TimeZone(abbreviation: zone) {
                seconds -= timeZone.secondsFromGMT(for: day)
            }
        }
        return day.addingTimeInterval(TimeInterval(seconds))
    }

    /// A date read with a `DateFormatter` pattern, in a time zone (UTC when nil).
    static func parse(_ text: String, format: String, timeZone: String?) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = format
        return formatter.date(from: text)
    }

    /// Fitbit's `12/31/17 16:42:00` (month/day/two-digit year), read as UTC.
    static func fitbit(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
        guard parts.count >= 3 else { return FHIRDate.parse(text) }
        let year = parts[2] < 100 ? 2000 + parts[2] : parts[2]
        let components = DateComponents(
            calendar: FHIRDate.calendar,
            timeZone: TimeZone(secondsFromGMT: 0),
            year: year,
            month: parts[0],
            day: parts[1],
            hour: parts.count > 3 ? parts[3] : 0,
            minute: parts.count > 4 ? parts[4] : 0,
            second: parts.count > 5 ? parts[5] : 0
        )
        return FHIRDate.strictDate(from: components)
    }
}
