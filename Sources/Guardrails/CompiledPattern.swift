import Foundation

/// A case-insensitive regular expression compiled once.
///
/// `@unchecked Sendable`: `NSRegularExpression` is immutable after creation and documented as safe to
/// use from several threads at once; nothing here mutates it.
struct CompiledPattern: @unchecked Sendable {
    let source: String
    let regex: NSRegularExpression

    /// - Throws: ``GuardrailsError`` with `invalidPattern` when `source` does not compile.
    init(_ source: String, location: String) throws {
        self.source = source
        do {
            regex = try NSRegularExpression(pattern: source, options: [.caseInsensitive])
        } catch {
            throw GuardrailsError(.invalidPattern, location: location, reason: "not a valid regular expression")
        }
    }

    /// Every match in `text`, as UTF-16 ranges.
    func matches(in text: String) -> [NSRange] {
        regex.matches(in: text, range: NSRange(location: 0, length: text.utf16.count)).map(\.range)
    }

    /// Every match in `range` of `text`.
    func matches(in text: String, range: NSRange) -> [NSRange] {
        regex.matches(in: text, options: .withTransparentBounds, range: range).map(\.range)
    }

    /// Whether `text` matches anywhere in `range`.
    func matches(_ text: String, in range: NSRange) -> Bool {
        // Transparent bounds: `\b` and look-arounds see the text around the range ("alone" is not "ne").
        range.length > 0 && regex.firstMatch(in: text, options: .withTransparentBounds, range: range) != nil
    }
}
