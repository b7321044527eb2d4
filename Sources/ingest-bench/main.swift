// Parses files with HealthRecords and prints, per file, the bytes, seconds, MB/s and records by kind.
// Used by scripts/bench/ingest.sh; `--dump` prints each record's rendered text instead.
import Foundation
import HealthRecords

var arguments = Array(CommandLine.arguments.dropFirst())
let dump = arguments.first == "--dump"
if dump { arguments.removeFirst() }
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: ingest-bench [--dump] FILE...\n".utf8))
    exit(2)
}
let reader = RecordSourceReader()
var failed = false
for path in arguments {
    let url = URL(fileURLWithPath: path)
    let size = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
    let start = ContinuousClock.now
    do {
        let parsed = try reader.read(url, displayName: url.lastPathComponent)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if dump {
            for record in parsed.records { print(RecordRenderer.text(for: record) + "\n---") }
        }
        let kinds = parsed.countsByKind.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
        let rate = seconds > 0 ? Double(size) / 1e6 / seconds : 0
        print(
            String(
                format: "%@\tbytes=%d\tseconds=%.3f\tMB/s=%.1f\trecords=%d\t",
                path,
                size,
                seconds,
                rate,
                parsed.records.count
            )
                + kinds.joined(separator: " ")
                + (parsed.skippedTypes.isEmpty ? "" : "\tskipped=\(parsed.skippedTypes.count)")
        )
    } catch {
        failed = true
        print("\(path)\terror: \(error)")
    }
}
exit(failed ? 1 : 0)
