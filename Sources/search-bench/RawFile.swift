import Foundation

/// Reads raw little-endian arrays of numbers.
enum RawFile {
    /// The float32 numbers of a file.
    static func floats(at path: String) throws -> [Float] {
        let data = try read(path, elementSize: 4)
        return data.withUnsafeBytes { bytes in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    /// The int32 numbers of a file.
    static func int32s(at path: String) throws -> [Int32] {
        let data = try read(path, elementSize: 4)
        return data.withUnsafeBytes { bytes in
            (0..<(data.count / 4)).map {
                Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))
            }
        }
    }

    private static func read(_ path: String, elementSize: Int) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
        guard data.count % elementSize == 0 else {
            throw BenchError("\(path) is not a whole number of \(elementSize)-byte values")
        }
        return data
    }
}
