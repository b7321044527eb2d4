import Foundation

/// Size checks made before a file is read into memory.
enum FileLimits {
    /// Throws ``IngestError`` `.tooLarge` when the file is larger than `limit` bytes, without reading it.
    static func require(_ url: URL, atMost limit: Int, file: String) throws {
        let size: Int
        do {
            size = try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
        } catch {
            throw IngestError(.unreadable, file: file, underlying: error)
        }
        guard size <= limit else {
            throw IngestError(
                .tooLarge,
                file: file,
                expected:
                    "at most \(limit >> 20) MiB for this format, which is read whole (the file has \(size >> 20) MiB)"
            )
        }
    }
}
