import Crypto
public import Foundation

/// A file an evaluation read, with its SHA-256, so a report says exactly what it measured.
public struct InputChecksum: Sendable, Codable, Hashable {
    /// The path as given.
    public var path: String
    /// Lower-case hex SHA-256 of the file's bytes (of every file in sorted order, for a folder).
    public var sha256: String

    /// Creates a checksum entry.
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }

    /// The checksum of a file, or of a folder's files (names and bytes, in sorted order).
    /// - Throws: ``EvalError`` when the path cannot be read.
    public static func of(_ url: URL) throws -> InputChecksum {
        var hasher = SHA256()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw EvalError(.unreadableInput, "no such file or folder: \(url.path)")
        }
        if isDirectory.boolValue {
            let base = url.standardizedFileURL.path
            var relatives: [String] = []
            let enumerator = FileManager.default.enumerator(atPath: base)
            while let relative = enumerator?.nextObject() as? String {
                var childIsDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &childIsDirectory),
                    !childIsDirectory.boolValue
                {
                    relatives.append(relative)
                }
            }
            for relative in relatives.sorted() {
                hasher.update(data: Data(relative.utf8))
                hasher.update(data: try InputFiles.contents(of: URL(fileURLWithPath: base + "/" + relative)))
            }
        } else {
            hasher.update(data: try InputFiles.contents(of: url))
        }
        return InputChecksum(path: url.path, sha256: Hex.string(hasher.finalize()))
    }
}

/// Lower-case hex of a digest.
enum Hex {
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
