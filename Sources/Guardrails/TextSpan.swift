/// A range in a text, in UTF-16 code units (the offsets JavaScript and `NSString` use).
public struct TextSpan: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The first code unit.
    public var start: Int
    /// One past the last code unit.
    public var end: Int

    /// Creates a span.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Creates the span of `range` in `text`.
    public init(_ range: Range<String.Index>, in text: String) {
        start = text.utf16.distance(from: text.startIndex, to: range.lowerBound)
        end = text.utf16.distance(from: text.startIndex, to: range.upperBound)
    }

    /// `12..<27`.
    public var description: String { "\(start)..<\(end)" }

    /// The spanned text in `text` (empty when out of bounds).
    public func text(in text: String) -> String {
        let utf16 = text.utf16
        guard start >= 0, end >= start, end <= utf16.count,
            let lower = utf16.index(utf16.startIndex, offsetBy: start, limitedBy: utf16.endIndex)
                .flatMap({ String.Index($0, within: text) }),
            let upper = utf16.index(utf16.startIndex, offsetBy: end, limitedBy: utf16.endIndex)
                .flatMap({ String.Index($0, within: text) })
        else { return "" }
        return String(text[lower..<upper])
    }
}
