import Crypto
import Foundation

/// SHA-256 digests as lower-case hex.
enum ContentDigest {
    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
