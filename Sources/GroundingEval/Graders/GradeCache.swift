import Crypto
public import Foundation

/// Grades kept on disk, so that a rerun (or a resumed run) calls the grader only for what it has not
/// decided yet. Keyed by SHA-256 of (grader kind and model, conversation, response, rubric item);
/// only decided grades are kept, so unknowns are retried on the next run.
///
/// The file is JSON Lines, appended one grade at a time: a run interrupted midway keeps what it graded.
public actor GradeCache {
    private struct Entry: Codable {
        var key: String
        var met: Bool
        var explanation: String
    }

    /// The cache file.
    public nonisolated let url: URL
    private var entries: [String: Entry] = [:]
    private var handle: FileHandle?

    /// Opens (or creates) a cache file.
    /// - Throws: ``EvalError`` when the file cannot be read or created.
    public init(url: URL) throws {
        self.url = url
        let manager = FileManager.default
        try? manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: url.path) {
            let data = try InputFiles.contents(of: url)
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                // A line cut short by an interrupted run is skipped; its item is graded again.
                if let entry = try? decoder.decode(Entry.self, from: Data(line)) { entries[entry.key] = entry }
            }
        } else if !manager.createFile(atPath: url.path, contents: nil) {
            throw EvalError(.unreadableInput, "cannot create the grade cache \(url.path)")
        }
    }

    /// How many grades the cache holds.
    public var count: Int { entries.count }

    /// The cached grade for a request, if any.
    public func grade(for key: String) -> Grade? {
        guard let entry = entries[key] else { return nil }
        return Grade(criteriaMet: entry.met, explanation: entry.explanation, attempts: 0, fromCache: true)
    }

    /// Keeps a decided grade (unknown grades are not kept).
    /// - Throws: ``EvalError`` when the file cannot be written.
    public func store(_ grade: Grade, for key: String) throws {
        guard let met = grade.criteriaMet else { return }
        let entry = Entry(key: key, met: met, explanation: grade.explanation)
        entries[key] = entry
        do {
            if handle == nil {
                handle = try FileHandle(forWritingTo: url)
                try handle?.seekToEnd()
            }
            var line = try JSONEncoder().encode(entry)
            line.append(UInt8(ascii: "\n"))
            try handle?.write(contentsOf: line)
        } catch {
            throw EvalError(.report, "cannot append to the grade cache \(url.path)", underlying: error)
        }
    }

    /// The cache key of a request for a grader: SHA-256 over a canonical JSON encoding of the grader's
    /// kind and model, the conversation, the response and the rubric item.
    public static func key(for request: GradingRequest, grader: GraderIdentity) -> String {
        struct Material: Encodable {
            var grader: String
            var model: String
            var conversation: [ChatMessage]
            var response: String
            var item: String
        }
        let material = Material(
            grader: grader.kind,
            model: grader.model ?? "",
            conversation: request.conversation,
            response: request.response,
            item: request.item.renderedForGrader
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(material)) ?? Data()
        return Hex.string(SHA256.hash(data: data))
    }
}

/// A grader in front of a ``GradeCache``: a cached grade is returned without calling the grader, and
/// every decided grade is kept.
public struct CachingGrader: Grader {
    /// The grader that decides what the cache does not hold.
    public let base: any Grader
    /// The cache.
    public let cache: GradeCache

    /// Puts a cache in front of a grader.
    public init(base: any Grader, cache: GradeCache) {
        self.base = base
        self.cache = cache
    }

    /// The base grader's identity.
    public var identity: GraderIdentity { base.identity }

    /// The cached grade, or the base grader's (kept when decided).
    public func grade(_ request: GradingRequest) async -> Grade {
        let key = GradeCache.key(for: request, grader: base.identity)
        if let cached = await cache.grade(for: key) { return cached }
        let grade = await base.grade(request)
        // A cache that cannot be written costs a rerun, not this run's grade.
        try? await cache.store(grade, for: key)
        return grade
    }
}
