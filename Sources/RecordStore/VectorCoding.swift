import Foundation

/// Float32 vectors as little-endian BLOBs.
enum VectorCoding {
    static func data(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Appends the floats a BLOB holds to `storage`; false when its length is not `dimension` floats.
    static func append(_ data: Data, dimension: Int, to storage: inout [Float]) -> Bool {
        guard data.count == dimension * 4 else { return false }
        data.withUnsafeBytes { raw in
            for index in 0..<dimension {
                let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                storage.append(Float(bitPattern: UInt32(littleEndian: bits)))
            }
        }
        return true
    }

    /// Copies the floats of a BLOB of the right length (checked by the caller) to `target`.
    static func copy(_ data: Data, into target: UnsafeMutablePointer<Float>) {
        data.withUnsafeBytes { raw in
            let count = raw.count / MemoryLayout<Float>.size
            #if _endian(little)
            UnsafeMutableRawPointer(target).copyMemory(
                from: raw.baseAddress!,
                byteCount: count * MemoryLayout<Float>.size
            )
            #else
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                target[index] = Float(bitPattern: UInt32(littleEndian: bits))
            }
            #endif
        }
    }
}
