import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element read into memory: its name (with any prefix), attributes, children and direct text.
///
/// Used for documents of bounded size (C-CDA). Built by a streaming `XMLParser` pass, so the raw bytes
/// are never held next to the tree.
final class XMLTree {
    let name: String
    let attributes: [String: String]
    private(set) var children: [XMLTree] = []
    fileprivate(set) var text = ""
    /// The element's step in its path (`component[2]`): its name and its rank among same-named siblings.
    let step: String
    /// The element's line in the file.
    let line: Int
    /// The enclosing element.
    private(set) weak var parent: XMLTree?

    /// The element path from the root (`/ClinicalDocument/component[2]/section`), for provenance. Made
    /// when asked, from the parents' steps: keeping every node's full path would grow with the square
    /// of the depth (a 20,000-deep file of 460 KB took 2.9 GB).
    var path: String {
        var steps: [String] = []
        var node: XMLTree? = self
        while let current = node {
            steps.append(current.step)
            node = current.parent
        }
        return "/" + steps.reversed().joined(separator: "/")
    }

    /// The `typeCode` of the enclosing element (`entryRelationship typeCode="MFST"`).
    var parentTypeCode: String? { parent?["typeCode"] }

    /// How deep elements may nest. C-CDA documents nest a few dozen deep; deeper is refused.
    static let maximumDepth = 256

    init(name: String, attributes: [String: String], step: String, line: Int) {
        self.name = name
        self.attributes = attributes
        self.step = step
        self.line = line
    }

    /// The local name, without a namespace prefix (`xsi:type` → `type`, `sdtc:raceCode` → `raceCode`).
    var localName: String { name.split(separator: ":").last.map(String.init) ?? name }

    subscript(attribute: String) -> String? { attributes[attribute] }

    /// An attribute by local name, whatever its prefix (`type` finds `xsi:type`).
    func attribute(localName: String) -> String? {
        if let value = attributes[localName] { return value }
        return attributes.first { $0.key.hasSuffix(":" + localName) }?.value
    }

    /// The first child with this local name.
    func child(_ name: String) -> XMLTree? { children.first { $0.localName == name } }

    /// Every child with this local name.
    func children(_ name: String) -> [XMLTree] { children.filter { $0.localName == name } }

    /// The first descendant along a chain of local names.
    func descendant(_ names: String...) -> XMLTree? {
        var node: XMLTree? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// Every descendant, depth first, that matches.
    func descendants(where match: (XMLTree) -> Bool) -> [XMLTree] {
        var found: [XMLTree] = []
        var stack = Array(children.reversed())
        while let node = stack.popLast() {
            if match(node) { found.append(node) }
            stack.append(contentsOf: node.children.reversed())
        }
        return found
    }

    /// All text beneath the element, with line breaks for block elements (`paragraph`, `br`, `tr`, `item`).
    var plainText: String {
        var output = ""
        appendText(to: &output)
        return
            output
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }

    private func appendText(to output: inout String) {
        let block: Set<String> = ["paragraph", "br", "tr", "item", "caption", "thead", "tbody", "list", "table"]
        // Text and children interleave; the builder records text runs in `segments`.
        for segment in segments {
            switch segment {
            case .text(let range):
                output += text[range].replacingOccurrences(of: "\n", with: " ")
            case .child(let position):
                let child = children[position]
                if block.contains(child.localName) { output += "\n" }
                child.appendText(to: &output)
                if block.contains(child.localName) { output += "\n" }
                if child.localName == "td" || child.localName == "th" { output += " | " }
            }
        }
    }

    fileprivate enum Segment {
        case text(Range<String.Index>)
        case child(Int)
    }

    fileprivate var segments: [Segment] = []

    fileprivate func append(child: XMLTree) {
        segments.append(.child(children.count))
        child.parent = self
        children.append(child)
    }

    fileprivate func append(text run: String) {
        let start = text.endIndex
        text += run
        segments.append(.text(start..<text.endIndex))
    }

    /// Reads an XML file into a tree.
    /// - Throws: ``IngestError`` `.malformed` (or `.unsupportedEncoding`) with the line, column and element path.
    static func read(contentsOf url: URL, file: String) throws -> XMLTree {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw IngestError(.unreadable, file: file, underlying: error)
        }
        return try read(data: data, file: file)
    }

    /// Reads XML from memory into a tree.
    static func read(data: Data, file: String) throws -> XMLTree {
        try requireDeclaredEncoding(data, file: file)
        return try read(parser: XMLParser(data: data), file: file)
    }

    /// A document without a byte-order mark that declares no encoding, or UTF-8, must be UTF-8: checked
    /// here so that the error names the line of the first bad byte (libxml2 reports where it noticed).
    static func requireDeclaredEncoding(_ data: Data, file: String) throws {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) { return }
        let head = String(decoding: data.prefix(200), as: UTF8.self).lowercased()
        if head.hasPrefix("<?xml"), let declaration = head.range(of: "?>").map({ head[..<$0.lowerBound] }),
            let encoding = declaration.range(of: "encoding=")
        {
            let name = declaration[encoding.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
            if name != "utf-8" && name != "utf8" { return }
        }
        guard String(data: data, encoding: .utf8) == nil else { return }
        throw IngestError(
            .unsupportedEncoding,
            file: file,
            location: "line \(TextDecoding.firstInvalidUTF8Line(Array(data)))",
            expected: "UTF-8 text, as the document declares or implies (Latin-1 bytes?)"
        )
    }

    private static func read(parser: XMLParser, file: String) throws -> XMLTree {
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let finished = parser.parse()
        if let line = builder.tooDeepAtLine {
            throw XMLFailure.tooDeep(file: file, line: line)
        }
        // The parser does not always report a document that ends inside an element: check the stack.
        if !finished || builder.root == nil || !builder.stack.isEmpty {
            throw XMLFailure.error(
                parser.parserError,
                file: file,
                line: parser.lineNumber,
                column: parser.columnNumber,
                depth: builder.stack.count
            )
        }
        guard let root = builder.root else { throw IngestError(.malformed, file: file) }
        return root
    }
}

/// Builds an ``XMLTree`` from `XMLParser` events.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var root: XMLTree?
    var stack: [XMLTree] = []
    var counts: [[String: Int]] = [[:]]
    /// The line of the first element past ``XMLTree/maximumDepth``, when the document nests deeper.
    var tooDeepAtLine: Int?

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard stack.count < XMLTree.maximumDepth else {
            tooDeepAtLine = parser.lineNumber
            parser.abortParsing()
            return
        }
        let index = (counts[counts.count - 1][elementName] ?? 0) + 1
        counts[counts.count - 1][elementName] = index
        let step = index == 1 ? elementName : "\(elementName)[\(index)]"
        let node = XMLTree(name: elementName, attributes: attributes, step: step, line: parser.lineNumber)
        if let parent = stack.last { parent.append(child: node) } else if root == nil { root = node }
        stack.append(node)
        counts.append([:])
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard tooDeepAtLine == nil, !stack.isEmpty else { return }
        stack.removeLast()
        counts.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.append(text: string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if let text = String(data: CDATABlock, encoding: .utf8) { stack.last?.append(text: text) }
    }
}

/// Turns an `XMLParser` failure into an ``IngestError`` that says where (line, column, nesting depth),
/// never what: an element path would carry the file's own tag names.
enum XMLFailure {
    /// A document nested deeper than ``XMLTree/maximumDepth``.
    static func tooDeep(file: String, line: Int) -> IngestError {
        IngestError(
            .malformed,
            file: file,
            location: "line \(line)",
            expected: "XML nested at most \(XMLTree.maximumDepth) elements deep"
        )
    }

    static func error(_ underlying: (any Error)?, file: String, line: Int, column: Int, depth: Int) -> IngestError {
        let code = (underlying as NSError?)?.code ?? 0
        // libxml2's codes for bytes that are not in the declared encoding (9: invalid character,
        // 31/32: unknown or unsupported encoding, 81: invalid encoding).
        let encodingCodes: Set<Int> = [9, 31, 32, 81]
        if encodingCodes.contains(code) {
            return IngestError(
                .unsupportedEncoding,
                file: file,
                location: "line \(line), column \(column), element depth \(depth)",
                expected: "text in the encoding the XML declares (UTF-8 unless declared; Latin-1 bytes?)",
                underlying: underlying
            )
        }
        return IngestError(
            .malformed,
            file: file,
            location: "line \(line), column \(column), element depth \(depth)",
            expected: "well-formed XML (the document is invalid or truncated)",
            underlying: underlying
        )
    }
}
