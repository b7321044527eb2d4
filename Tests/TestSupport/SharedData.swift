public import Foundation

/// Where the public data beside the checkout (`../shared/`) and the project's own files are.
public enum SharedData {
    /// The package root (the folder with Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared` beside the checkout, or `$HEALTHGROUND_SHARED`.
    public static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["HEALTHGROUND_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
    }()

    /// Whether `../shared/` is there. Tests that need it are disabled (and say so) when it is not.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("corpora").path)
    }

    /// A path under `../shared/corpora/`.
    public static func corpus(_ relative: String) -> URL {
        root.appendingPathComponent("corpora").appendingPathComponent(relative)
    }

    /// The model folder that `scripts/setup.sh` fills.
    public static let modelDirectory = packageRoot.appendingPathComponent("models/all-MiniLM-L6-v2", isDirectory: true)

    /// Whether the model files are installed.
    public static var modelIsAvailable: Bool {
        FileManager.default.fileExists(atPath: modelDirectory.appendingPathComponent("model.safetensors").path)
    }

    /// Every regular file under a folder, sorted, with the given extensions (lower-cased).
    public static func files(under folder: URL, extensions: Set<String>) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return []
        }
        var files: [URL] = []
        for case let url as URL in enumerator where extensions.contains(url.pathExtension.lowercased()) {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    /// A fresh temporary folder, removed by the caller.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hg-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
