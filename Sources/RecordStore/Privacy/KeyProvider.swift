public import Foundation

/// A key-encryption key: 32 random bytes that wrap (encrypt) the data keys of spaces.
///
/// The key never encrypts health data itself; it only wraps each space's random data key, so it can
/// be rotated by re-wrapping the data keys without re-encrypting any data.
public struct KeyEncryptionKey: Sendable {
    /// A short public name of the key (not secret), stored beside each data key it wraps.
    public var id: String
    /// The 32 key bytes.
    public var bytes: Data

    /// Creates a key-encryption key.
    /// - Parameters:
    ///   - id: a short name, unique among the provider's keys (letters, digits, `-`).
    ///   - bytes: 32 random bytes.
    public init(id: String, bytes: Data) {
        self.id = id
        self.bytes = bytes
    }
}

/// Where key-encryption keys come from: a key file (``FileKeyProvider``, the default), or a
/// backend's key management service.
///
/// A backend plugs in its own KMS by implementing the two requirements: ``currentKey()`` returns
/// the key that wraps new data keys, ``key(id:)`` any key that may still wrap one (keep a retired
/// key available until ``GroundingEngine/rotateKeys()`` has re-wrapped every space).
public protocol KeyProvider: Sendable {
    /// The key that wraps new data keys; a provider may create it on first use.
    /// - Throws: when no key can be produced.
    func currentKey() throws -> KeyEncryptionKey

    /// The key with this id, or nil when the provider does not have it (never creates one).
    /// - Throws: when the provider cannot be read.
    func key(id: String) throws -> KeyEncryptionKey?
}

/// A key provider that can make a new current key itself (the key file does; a KMS usually rotates
/// on its own schedule, and then only the re-wrap is needed).
public protocol RotatingKeyProvider: KeyProvider {
    /// Makes a new current key while the previous keys stay readable through ``KeyProvider/key(id:)``.
    /// - Returns: the new key.
    func beginRotation() throws -> KeyEncryptionKey

    /// Forgets every key but the current one (after every data key was re-wrapped).
    func finishRotation() throws
}

/// How a space's content is stored.
public enum SpaceEncryption: Sendable {
    /// Chunk text, payloads, paths, codes and vectors are AES-256-GCM ciphertext under a per-space
    /// data key wrapped by the provider's key-encryption key; full-text terms are keyed hashes.
    case enabled(any KeyProvider)
    /// Everything in clear (debugging and benchmark comparison only).
    case disabled
}
