import Crypto
public import Foundation

/// SHA-256 digests in hexadecimal, for content-derived identifiers and file fingerprints.
public enum ContentHash {
    /// The first `length` hexadecimal digits of the SHA-256 of a string's UTF-8 bytes.
    public static func hex(of text: String, length: Int = 64) -> String {
        hex(of: Data(text.utf8), length: length)
    }

    /// The first `length` hexadecimal digits of the SHA-256 of some bytes.
    public static func hex(of data: Data, length: Int = 64) -> String {
        let digest = SHA256.hash(data: data)
        return String(digest.map { String(format: "%02x", $0) }.joined().prefix(length))
    }
}

extension ContentHash {
    /// The SHA-256 of a file's bytes in hexadecimal, read in 1 MiB pieces (constant memory).
    /// - Throws: ``IngestError`` `.unreadable` when the file cannot be read.
    public static func hex(ofFile url: URL) throws -> String {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var hasher = SHA256()
            while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
                hasher.update(data: piece)
            }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        } catch {
            throw IngestError(.unreadable, file: url.lastPathComponent, underlying: error)
        }
    }
}

/// An incremental SHA-256 over several strings (each followed by a separator).
public struct ContentHashBuilder: Sendable {
    private var hasher = SHA256()

    /// Starts an empty digest.
    public init() {}

    /// Adds a string.
    public mutating func add(_ text: String) {
        hasher.update(data: Data(text.utf8))
        hasher.update(data: Data([0x1F]))
    }

    /// The digest in hexadecimal.
    public func finish() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
