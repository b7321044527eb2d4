public import Foundation

/// Finds the all-MiniLM-L6-v2 folder that `scripts/setup.sh` fills.
public enum ModelLocator {
    /// The folder name under `models/`.
    public static let folderName = "all-MiniLM-L6-v2"

    /// `$HEALTHGROUND_MODEL_DIR`; else `models/all-MiniLM-L6-v2` in the current folder or above the
    /// executable (as in a checkout's `.build/release/`); else the current folder's `models/…`.
    public static func defaultDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL = URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
    ) -> URL {
        if let path = environment["HEALTHGROUND_MODEL_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        var candidates = [current]
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder)
            folder.deleteLastPathComponent()
        }
        for candidate in candidates {
            let model = candidate.appendingPathComponent("models/\(folderName)", isDirectory: true)
            if FileManager.default.fileExists(atPath: model.appendingPathComponent("config.json").path) {
                return model
            }
        }
        return current.appendingPathComponent("models/\(folderName)", isDirectory: true)
    }
}
