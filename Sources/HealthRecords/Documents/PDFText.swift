public import Foundation

/// The text of a PDF, from poppler's `pdftotext -layout` run as a subprocess.
///
/// `-layout` keeps columns apart with runs of spaces, which is what lab-result lines need.
/// `poppler-utils` is installed by `scripts/setup.sh`.
public enum PDFText {
    /// Where `pdftotext` is looked for, in order (`$PATH` is searched after these).
    static let candidates = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext", "/opt/homebrew/bin/pdftotext"]

    /// The `pdftotext` executable, when installed.
    public static var executable: URL? {
        let paths =
            candidates
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/pdftotext" }
        return paths.first { FileManager.default.isExecutableFile(atPath: $0) }.map(URL.init(fileURLWithPath:))
    }

    /// The text of a PDF file.
    /// - Throws: ``IngestError``: `.unsupportedFormat` when `pdftotext` is not installed, `.malformed` when
    ///   it cannot read the file.
    public static func text(contentsOf url: URL, file: String) throws -> String {
        try run(arguments: ["-layout", "-enc", "UTF-8", url.path, "-"], input: nil, file: file)
    }

    /// The text of a PDF held in memory (a FHIR attachment), passed to `pdftotext` on its standard input.
    public static func text(data: Data, file: String) throws -> String {
        try run(arguments: ["-layout", "-enc", "UTF-8", "-", "-"], input: data, file: file)
    }

    private static func run(arguments: [String], input: Data?, file: String) throws -> String {
        guard let executable else {
            throw IngestError(
                .unsupportedFormat,
                file: file,
                expected: "pdftotext (poppler-utils, installed by scripts/setup.sh) to read PDF files"
            )
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do {
            try process.run()
        } catch {
            throw IngestError(.unreadable, file: file, expected: "a runnable pdftotext", underlying: error)
        }
        // pdftotext reads its whole input before it writes, so writing first cannot deadlock.
        if let input {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw IngestError(
                .malformed,
                file: file,
                expected: "a readable PDF (pdftotext exited with status \(process.terminationStatus))"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw IngestError(.unsupportedEncoding, file: file, expected: "UTF-8 text from pdftotext")
        }
        return text
    }
}
