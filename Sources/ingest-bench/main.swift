// Parses files with HealthRecords and prints, per file, the bytes, seconds, MB/s and records by kind,
// then a total line. Used by scripts/bench/ingest.sh.
//   ingest-bench [--dump] [--repeat N] FILE...
// `--dump` prints each record's rendered text; `--repeat N` parses each file N times (for small files).
import Foundation
import HealthRecords

var arguments = Array(CommandLine.arguments.dropFirst())
var dump = false
var repeats = 1
while let first = arguments.first, first.hasPrefix("--") {
    arguments.removeFirst()
    switch first {
    case "--dump": dump = true
    case "--repeat": repeats = max(1, Int(arguments.isEmpty ? "1" : arguments.removeFirst()) ?? 1)
    default:
        FileHandle.standardError.write(Data("unknown option \(first)\n".utf8))
        exit(2)
    }
}
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: ingest-bench [--dump] [--repeat N] FILE...\n".utf8))
    exit(2)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let reader = RecordSourceReader()
var failed = false
var totalBytes = 0
var totalSeconds = 0.0
var totalRecords = 0
for path in arguments {
    let url = URL(fileURLWithPath: path)
    let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
    do {
        var parsed: ParsedSource?
        let start = ContinuousClock.now
        for _ in 0..<repeats { parsed = try reader.read(url, displayName: url.lastPathComponent) }
        let elapsed = seconds(ContinuousClock.now - start)
        guard let parsed else { continue }
        if dump {
            for record in parsed.records { print(RecordRenderer.text(for: record) + "\n---") }
        }
        let bytes = size * repeats
        totalBytes += bytes
        totalSeconds += elapsed
        totalRecords += parsed.records.count * repeats
        let kinds = parsed.countsByKind.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
        let rate = elapsed > 0 ? Double(bytes) / 1e6 / elapsed : 0
        print(
            String(
                format: "%@\tbytes=%d\tseconds=%.3f\tMB/s=%.1f\trecords=%d\t",
                path,
                bytes,
                elapsed,
                rate,
                parsed.records.count
            )
                + kinds.joined(separator: " ")
                + (parsed.skippedTypes.isEmpty ? "" : "\tskipped=\(parsed.skippedTypes.values.reduce(0, +))")
        )
    } catch {
        failed = true
        print("\(path)\terror: \(error)")
    }
}
print(
    String(
        format: "total\tbytes=%d\tseconds=%.3f\tMB/s=%.1f\trecords=%d",
        totalBytes,
        totalSeconds,
        totalSeconds > 0 ? Double(totalBytes) / 1e6 / totalSeconds : 0,
        totalRecords
    )
)
exit(failed ? 1 : 0)
