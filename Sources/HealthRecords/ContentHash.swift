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
