import Foundation

/// A `.safetensors` weights file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian tensor data.
///
/// Tensors are read in place from the mapping (no copy); see ``floats(_:shape:)``.
struct SafetensorsFile: Sendable {
    /// One tensor's entry in the header.
    struct TensorInfo: Sendable, Equatable {
        /// The element type as the header spells it (`F32`, `I64`, …).
        var dtype: String
        /// The dimensions, outermost first.
        var shape: [Int]
        /// The byte range of the data, relative to the start of the file.
        var byteRange: Range<Int>
    }

    /// The mapped file.
    let file: MappedFile
    /// Every tensor in the header, by name.
    let tensors: [String: TensorInfo]
    private let fileName: String

    /// Maps a file and parses its header.
    /// - Throws: ``EmbeddingError`` when the file cannot be mapped or its header is malformed.
    init(url: URL) throws {
        fileName = url.lastPathComponent
        file = try MappedFile(url: url)
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw EmbeddingError(.malformed, file: fileName, location: "byte 0", expected: "an 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for index in 0..<8 { headerLength |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        guard headerLength > 0, headerLength <= UInt64(bytes.count - 8) else {
            throw EmbeddingError(
                .malformed,
                file: fileName,
                location: "byte 0",
                expected: "a header length within the file"
            )
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(bytes[8..<dataStart])
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: header)
        } catch {
            throw EmbeddingError(.malformed, file: fileName, location: "header", expected: "JSON", underlying: error)
        }
        guard let entries = object as? [String: Any] else {
            throw EmbeddingError(.malformed, file: fileName, location: "header", expected: "a JSON object")
        }
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in entries where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int],
                let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                offsets[0] >= 0, offsets[0] <= offsets[1],
                dataStart + offsets[1] <= bytes.count
            else {
                throw EmbeddingError(
                    .malformed,
                    file: fileName,
                    location: "header.\(name)",
                    expected: "dtype, shape and data_offsets within the file"
                )
            }
            tensors[name] = TensorInfo(
                dtype: dtype,
                shape: shape,
                byteRange: (dataStart + offsets[0])..<(dataStart + offsets[1])
            )
        }
        self.tensors = tensors
    }

    /// A float32 tensor, in place in the mapping, checked against the expected shape.
    /// - Throws: ``EmbeddingError`` when the tensor is missing, not F32, of another shape, or misaligned.
    func floats(_ name: String, shape: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard let info = tensors[name] else {
            throw EmbeddingError(.missingTensor, file: fileName, location: name)
        }
        guard info.dtype == "F32" else {
            throw EmbeddingError(.unsupportedType, file: fileName, location: name, expected: "F32, found \(info.dtype)")
        }
        let count = shape.reduce(1, *)
        guard info.shape == shape, info.byteRange.count == count * MemoryLayout<Float>.size else {
            throw EmbeddingError(
                .shapeMismatch,
                file: fileName,
                location: name,
                expected: "shape \(shape), found \(info.shape)"
            )
        }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[info.byteRange])
        guard let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else {
            throw EmbeddingError(.malformed, file: fileName, location: name, expected: "4-byte aligned float data")
        }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: count)
    }
}
