import Foundation

/// Decodes a file's bytes as text: UTF-8 (with or without BOM) and UTF-16 with a BOM.
enum TextDecoding {
    /// The file's text, or an ``IngestError`` naming the file when the encoding cannot be read.
    static func decodeJSONText(_ data: Data, file: String) throws -> String {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            if let text = String(data: data, encoding: .utf16) { return text }
            throw IngestError(.unsupportedEncoding, file: file, expected: "UTF-16 text after a byte-order mark")
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(data: bytes, encoding: .utf8) { return text }
        let line = firstInvalidUTF8Line(Array(bytes))
        throw IngestError(
            .unsupportedEncoding,
            file: file,
            location: "line \(line)",
            expected: "UTF-8 text (the file has bytes that are not UTF-8; Latin-1 or another encoding?)"
        )
    }

    /// The 1-based line of the first byte sequence that is not valid UTF-8.
    static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { line += 1 }
            if byte < 0x80 {
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
            guard length > 0, index + length <= bytes.count,
                bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
            else { return line }
            index += length
        }
        return line
    }
}
