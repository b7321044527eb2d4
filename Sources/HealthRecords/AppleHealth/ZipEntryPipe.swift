import Foundation
import ZIPFoundation

/// Decompresses one ZIP entry on a background thread into a pipe, whose read end is an `InputStream`
/// that `XMLParser` consumes: the entry is streamed, never held whole in memory nor written to disk.
///
/// The pipe's capacity bounds what is in flight. `@unchecked Sendable`: the archive is used only by the
/// writer thread until ``cancelAndDrain()`` has joined it; the flags are behind a lock.
final class ZipEntryPipe: @unchecked Sendable {
    private let archive: Archive
    private let entry: Entry
    private let pipe = Pipe()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var cancelled = false
    private var error: (any Error)?
    private var joined = false

    init(archive: Archive, entry: Entry) {
        self.archive = archive
        self.entry = entry
    }

    /// The read end of the pipe.
    lazy var inputStream: InputStream =
        InputStream(fileAtPath: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)") ?? InputStream(data: Data())

    /// The extraction error, once joined (a truncated or corrupt entry).
    var failure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    func start() {
        _ = inputStream
        let thread = Thread { [self] in
            let writer = pipe.fileHandleForWriting
            do {
                _ = try archive.extract(entry, bufferSize: 1 << 16) { chunk in
                    if self.isCancelled { throw CancellationError() }
                    try writer.write(contentsOf: chunk)
                }
            } catch is CancellationError {
            } catch {
                lock.lock()
                self.error = error
                lock.unlock()
            }
            try? writer.close()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Stops the writer, reads what is left in the pipe so that it can finish, and waits for it.
    func cancelAndDrain() {
        lock.lock()
        cancelled = true
        let alreadyJoined = joined
        joined = true
        lock.unlock()
        guard !alreadyJoined else { return }
        let reader = pipe.fileHandleForReading
        while let data = try? reader.read(upToCount: 1 << 16), !data.isEmpty {}
        done.wait()
        try? reader.close()
    }
}
