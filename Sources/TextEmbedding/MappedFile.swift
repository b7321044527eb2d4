import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only file mapped into memory with `mmap`; pages are read on first touch and shared with
/// the page cache, so a 90 MB weights file costs resident memory only for the parts that are used.
///
/// `@unchecked Sendable`: the mapping is read-only (`PROT_READ`) and unmapped only in `deinit`, when
/// no reference (and so no pointer derived from it through ``bytes``) is left.
final class MappedFile: @unchecked Sendable {
    /// The start of the mapping.
    let bytes: UnsafeRawBufferPointer
    /// The file's path, for error messages.
    let path: String

    /// Maps a whole file.
    /// - Throws: ``EmbeddingError`` (`unreadable`) when the file cannot be opened, sized or mapped.
    init(url: URL) throws {
        path = url.path
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw EmbeddingError(.unreadable, file: url.lastPathComponent, expected: "a readable file")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else {
            throw EmbeddingError(.unreadable, file: url.lastPathComponent, expected: "a non-empty regular file")
        }
        let size = Int(status.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw EmbeddingError(.unreadable, file: url.lastPathComponent, expected: "a file that can be mapped")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Lets the kernel drop the pages read so far (they are read again from the page cache if touched),
    /// so that tensors copied elsewhere do not count twice in resident memory.
    func releaseResidentPages() {
        if let base = bytes.baseAddress {
            _ = madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, Int32(MADV_DONTNEED))
        }
    }
}
