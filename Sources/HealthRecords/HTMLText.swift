import Foundation

/// Turns an HTML fragment into plain text: tags dropped, block ends as line breaks, common entities decoded.
public enum HTMLText {
    /// The text of an HTML document or fragment.
    public static func plainText(_ html: String) -> String {
        var output = ""
        var tag = ""
        var inTag = false
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first ?? ""
                    if ["br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"].contains(String(name)) {
                        output.append("\n")
                    } else if name == "td" || name == "th" {
                        output.append(" ")
                    }
                    tag = ""
                } else {
                    tag.append(character)
                }
            } else if character == "<" {
                inTag = true
            } else {
                output.append(character)
            }
        }
        let entities = ["&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&amp;": "&"]
        for (entity, replacement) in entities { output = output.replacingOccurrences(of: entity, with: replacement) }
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n")
            .replacingOccurrences(of: "\n\n\n", with: "\n\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
