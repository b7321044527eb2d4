public import Foundation

/// A plain-text document to index: a BEIR corpus entry, a letter, a note.
public struct TextDocument: Sendable, Hashable, Codable {
    /// The document's id (unique within its source).
    public var id: String
    /// Its title (may be empty).
    public var title: String
    /// Its body.
    public var text: String
    /// Its date, when it has one.
    public var date: Date?

    /// Creates a document.
    public init(id: String, title: String = "", text: String, date: Date? = nil) {
        self.id = id
        self.title = title
        self.text = text
        self.date = date
    }
}
