import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) that answers chat-completions requests from a
/// script: a JSON content, an HTTP status, or a stall (no reply until the client gives up).
///
/// Written on POSIX sockets in the test target rather than adding a server package: the tests need
/// only one request per connection, scripted replies and a stall, and this keeps the package graph
/// (and the build) as it was.
final class ScriptedChatServer: @unchecked Sendable {
    // @unchecked: the listening descriptor is set once in init; `script` and `requests` are only
    // touched under `lock`.

    enum Reply: Sendable {
        /// 200 with a chat completion whose message content is this text.
        case content(String)
        /// This HTTP status with a short body.
        case status(Int)
        /// Accept the request and send nothing for this many seconds, then close.
        case stall(Double)
    }

    struct Request: Sendable {
        var head: String
        var body: Data
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var script: [Reply]
    private var received: [Request] = []

    /// Starts a server that answers with the scripted replies in order, then with HTTP 500.
    init(script: [Reply]) throws {
        self.script = script
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = descriptor
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The base URL a grader is configured with.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// The requests received so far.
    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func nextReply(for request: Request) -> Reply {
        lock.lock()
        defer { lock.unlock() }
        received.append(request)
        return script.isEmpty ? .status(500) : script.removeFirst()
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let thread = Thread { [self] in handle(connection) }
            thread.start()
        }
    }

    private func handle(_ connection: Int32) {
        defer { close(connection) }
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headEnd: Range<Data.Index>?
        while headEnd == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer.append(contentsOf: chunk[0..<count])
            headEnd = buffer.range(of: Data("\r\n\r\n".utf8))
        }
        guard let headEnd else { return }
        let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var contentLength = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while buffer.count - headEnd.upperBound < contentLength {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer.append(contentsOf: chunk[0..<count])
        }
        let body = Data(buffer[headEnd.upperBound..<(headEnd.upperBound + contentLength)])
        switch nextReply(for: Request(head: head, body: body)) {
        case .content(let text):
            let completion: [String: Any] = [
                "id": "test", "object": "chat.completion",
                "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: completion)) ?? Data()
            send(connection, status: 200, body: data)
        case .status(let status):
            send(connection, status: status, body: Data("{\"error\": \"scripted\"}".utf8))
        case .stall(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        }
    }

    private func send(_ connection: Int32, status: Int, body: Data) {
        var response = Data(
            ("HTTP/1.1 \(status) Scripted\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
                + "Connection: close\r\n\r\n").utf8
        )
        response.append(body)
        response.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Glibc)
                let sent = Glibc.send(
                    connection,
                    bytes.baseAddress! + offset,
                    bytes.count - offset,
                    Int32(MSG_NOSIGNAL)
                )
                #else
                let sent = Darwin.send(connection, bytes.baseAddress! + offset, bytes.count - offset, 0)
                #endif
                if sent <= 0 { return }
                offset += sent
            }
        }
    }
}
