public import Foundation

/// Reads HealthBench examples: a JSONL file (one example a line), a JSON file (one example or an array),
/// or a folder of JSON/JSONL files read in sorted order.
public enum RubricDataset {
    /// The examples at a path.
    /// - Parameter url: a `.jsonl` file, a `.json` file, or a folder of them.
    /// - Returns: the examples in file (and line) order.
    /// - Throws: ``EvalError`` naming the file and line that cannot be read or decoded.
    public static func load(from url: URL) throws -> [RubricExample] {
        var examples: [RubricExample] = []
        for file in try InputFiles.files(at: url, extensions: ["json", "jsonl"]) {
            examples += try read(file)
        }
        return examples
    }

    private static func read(_ file: URL) throws -> [RubricExample] {
        let data = try InputFiles.contents(of: file)
        let decoder = JSONDecoder()
        if file.pathExtension.lowercased() == "jsonl" {
            return try JSONLines.decode(RubricExample.self, from: data, file: file.lastPathComponent)
        }
        if let one = try? decoder.decode(RubricExample.self, from: data) { return [one] }
        do {
            return try decoder.decode([RubricExample].self, from: data)
        } catch {
            throw EvalError(
                .invalidInput,
                "\(file.lastPathComponent): not a HealthBench example or array of examples",
                underlying: error
            )
        }
    }
}

/// Responses to grade, read from JSONL lines `{"prompt_id": …, "response": …}`.
public enum ResponseFile {
    private struct Line: Decodable {
        var promptID: String
        var response: String

        enum CodingKeys: String, CodingKey {
            case promptID = "prompt_id"
            case response
        }
    }

    /// The responses by prompt id (a later line for the same id replaces an earlier one).
    /// - Throws: ``EvalError`` naming the line that cannot be decoded.
    public static func load(from url: URL) throws -> [String: String] {
        let lines = try JSONLines.decode(Line.self, from: InputFiles.contents(of: url), file: url.lastPathComponent)
        var responses: [String: String] = [:]
        for line in lines { responses[line.promptID] = line.response }
        return responses
    }
}

/// Decoding JSON Lines with errors that name the line, never its content.
enum JSONLines {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> [T] {
        let decoder = JSONDecoder()
        var values: [T] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }
            if trimmed.isEmpty || trimmed.allSatisfy({ $0 == UInt8(ascii: "\r") }) { continue }
            do {
                values.append(try decoder.decode(T.self, from: Data(line)))
            } catch {
                throw EvalError(.invalidInput, "\(file) line \(lineNumber): not a valid record", underlying: error)
            }
        }
        return values
    }
}

/// Finding and reading input files.
enum InputFiles {
    static func files(at url: URL, extensions: Set<String>) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw EvalError(.unreadableInput, "no such file or folder: \(url.path)")
        }
        guard isDirectory.boolValue else { return [url] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let files =
            names
            .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }
            .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            .map { url.appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw EvalError(.unreadableInput, "\(url.path): no \(extensions.sorted().joined(separator: "/")) files")
        }
        return files
    }

    static func contents(of file: URL) throws -> Data {
        do {
            return try Data(contentsOf: file)
        } catch {
            throw EvalError(.unreadableInput, "cannot read \(file.path)", underlying: error)
        }
    }
}

extension ResponseFile {
    /// Writes responses as JSONL lines `{"prompt_id": …, "response": …}`, in the given order.
    /// - Throws: ``EvalError`` when the file cannot be written.
    public static func write(_ responses: [(promptID: String, response: String)], to url: URL) throws {
        struct Line: Encodable {
            var prompt_id: String
            var response: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        do {
            for (promptID, response) in responses {
                data.append(try encoder.encode(Line(prompt_id: promptID, response: response)))
                data.append(UInt8(ascii: "\n"))
            }
            try data.write(to: url, options: .atomic)
        } catch {
            throw EvalError(.report, "cannot write responses to \(url.path)", underlying: error)
        }
    }
}
