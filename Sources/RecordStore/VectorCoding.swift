import Foundation

/// Float32 vectors as little-endian bytes (the `vector` BLOBs and the vector snapshot's segments).
enum VectorCoding {
    static func data(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        append(vector, to: &data)
        return data
    }

    /// Appends the floats' little-endian bytes to `data`.
    static func append(_ values: some Collection<Float>, to data: inout Data) {
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
    }

    /// Copies the floats of a BLOB of the right length (checked by the caller) to `target`.
    static func copy(_ data: Data, into target: UnsafeMutablePointer<Float>) {
        data.withUnsafeBytes { copy($0, into: target) }
    }

    /// Copies the floats little-endian bytes hold (all of `raw`) to `target`.
    static func copy(_ raw: UnsafeRawBufferPointer, into target: UnsafeMutablePointer<Float>) {
        let count = raw.count / MemoryLayout<Float>.size
        guard count > 0 else { return }
        #if _endian(little)
        UnsafeMutableRawPointer(target).copyMemory(from: raw.baseAddress!, byteCount: count * MemoryLayout<Float>.size)
        #else
        for index in 0..<count {
            let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
            target[index] = Float(bitPattern: UInt32(littleEndian: bits))
        }
        #endif
    }
}
