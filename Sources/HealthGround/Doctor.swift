import CBLAS
import CKernels
import CLAPACKE
public import Foundation
import GRDB
import Guardrails
import HealthRecords
import VectorSearch

/// Checks the machine and the installation: SQLite and FTS5, the BLAS library in use and its speed,
/// LAPACKE, the model files, and the data directory.
public enum Doctor {
    /// One check's outcome.
    public struct Check: Sendable, Codable, Hashable {
        /// `ok`, `warning` or `error` (an error makes the installation unusable).
        public enum Status: String, Sendable, Codable, Hashable {
            case ok
            case warning
            case error
        }

        /// What was checked (`sqlite`, `blas`, `model`, …).
        public var name: String
        /// The outcome.
        public var status: Status
        /// What was found.
        public var detail: String
        /// The command that fixes a problem, when there is one.
        public var fix: String?
    }

    /// All checks, with facts worth printing.
    public struct Report: Sendable, Codable {
        /// The checks, in order.
        public var checks: [Check]
        /// SQLite's version.
        public var sqliteVersion: String
        /// Whether SQLite was built with FTS5.
        public var fts5: Bool
        /// The BLAS library that provides `cblas_sgemm`, with symlinks resolved.
        public var blasLibrary: String?
        /// Whether the loaded BLAS is OpenBLAS.
        public var blasIsOpenBLAS: Bool
        /// Measured single-precision GEMM rate on a 512×512×384 product.
        public var sgemmGFLOPS: Double
        /// The embedder vectors would be stamped with.
        public var embedder: String

        /// Whether nothing required is missing.
        public var isHealthy: Bool { !checks.contains { $0.status == .error } }
    }

    /// Runs every check.
    /// - Parameters:
    ///   - dataDirectory: the folder of spaces, checked for writability.
    ///   - modelDirectory: where the MiniLM files should be.
    ///   - embedder: the embedder in use, described in the report.
    public static func run(dataDirectory: URL, modelDirectory: URL, embedder: String) -> Report {
        var checks: [Check] = []
        let (version, fts5) = sqliteFacts()
        checks.append(
            Check(
                name: "sqlite",
                status: fts5 ? .ok : .error,
                detail: "SQLite \(version), FTS5 \(fts5 ? "compiled in" : "missing")",
                fix: fts5 ? nil : "apt-get install libsqlite3-0 libsqlite3-dev (Debian's build has FTS5)"
            )
        )

        let library = blasLibraryPath()
        let isOpenBLAS = hg_openblas_config() != nil || (library?.contains("openblas") ?? false)
        let gflops = measureSGEMM()
        let isReference = !isOpenBLAS && (library?.contains("/blas/") ?? true)
        checks.append(
            Check(
                name: "blas",
                status: isReference ? .warning : .ok,
                detail: isReference
                    ? "REFERENCE BLAS in use (\(library ?? "unknown")): \(format(gflops)) GFLOP/s; "
                        + "vector search and the encoder will be 60–120× slower than with OpenBLAS"
                    : "\(library ?? "unknown") (\(isOpenBLAS ? "OpenBLAS" : "BLAS")): sgemm "
                        + "512×512×384 at \(format(gflops)) GFLOP/s",
                fix: isReference
                    ? "apt-get install libopenblas0-pthread && update-alternatives --config libblas.so.3-x86_64-linux-gnu"
                    : nil
            )
        )

        let vectorized = hg_kernels_vectorized() == 1
        let products =
            hg_bf16_supported() == 1
            ? "; AVX-512 BF16: the encoder's projections use bfloat16 products"
            : "; no AVX-512 BF16: the encoder's projections use float32 sgemm"
        checks.append(
            Check(
                name: "kernels",
                status: vectorized ? .ok : .warning,
                detail: vectorized
                    ? "AVX2+FMA builds of softmax, GELU, LayerNorm and the int8 scan in use" + products
                    : "portable builds of softmax, GELU, LayerNorm and the int8 scan in use (no AVX2+FMA): "
                        + "the encoder runs slower" + products,
                fix: nil
            )
        )

        checks.append(
            Check(
                name: "lapacke",
                status: lapackeWorks() ? .ok : .error,
                detail: lapackeWorks() ? "LAPACKE present (ssyevd answers)" : "LAPACKE does not answer",
                fix: lapackeWorks() ? nil : "apt-get install liblapacke-dev"
            )
        )

        checks.append(modelCheck(modelDirectory))
        checks.append(dataDirectoryCheck(dataDirectory))
        checks.append(Check(name: "embedder", status: .ok, detail: "vectors are stamped with \(embedder)", fix: nil))
        checks.append(guardrailsCheck())

        return Report(
            checks: checks,
            sqliteVersion: version,
            fts5: fts5,
            blasLibrary: library,
            blasIsOpenBLAS: isOpenBLAS,
            sgemmGFLOPS: gflops,
            embedder: embedder
        )
    }

    /// The SHA-256 of the all-MiniLM-L6-v2 `model.safetensors` that `scripts/setup.sh` installs.
    public static let expectedModelSHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

    /// The files the model folder must hold.
    public static let modelFiles = ["model.safetensors", "vocab.txt", "config.json", "tokenizer.json"]

    static func modelCheck(_ folder: URL) -> Check {
        let missing = modelFiles.filter {
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
        guard missing.isEmpty else {
            return Check(
                name: "model",
                status: .error,
                detail: "all-MiniLM-L6-v2 missing in \(folder.path) (\(missing.joined(separator: ", ")))",
                fix: "scripts/setup.sh"
            )
        }
        let weights = folder.appendingPathComponent("model.safetensors")
        guard let data = try? Data(contentsOf: weights, options: .alwaysMapped) else {
            return Check(name: "model", status: .error, detail: "cannot read \(weights.path)", fix: "scripts/setup.sh")
        }
        let digest = ContentHash.hex(of: data)
        guard digest == expectedModelSHA256 else {
            return Check(
                name: "model",
                status: .error,
                detail:
                    "model.safetensors has SHA-256 \(digest.prefix(16))…, expected \(expectedModelSHA256.prefix(16))…",
                fix: "rm -rf \(folder.path) && scripts/setup.sh"
            )
        }
        return Check(
            name: "model",
            status: .ok,
            detail: "all-MiniLM-L6-v2 in \(folder.path), model.safetensors SHA-256 \(digest.prefix(16))… (verified)",
            fix: nil
        )
    }

    static func guardrailsCheck() -> Check {
        do {
            let book = try RuleBook.bundled()
            let pending = book.rulesAwaitingReview.count
            return Check(
                name: "guardrails",
                status: pending == 0 ? .ok : .warning,
                detail: pending == 0
                    ? "\(book.rules.count) guardrail rules, all clinically reviewed"
                    : "\(book.rules.count) guardrail rules loaded; \(pending) AWAIT CLINICAL REVIEW (every verdict says so)",
                fix: pending == 0
                    ? nil : "a clinician reviews them: healthground rules review --rule ID --reviewer NAME --role ROLE"
            )
        } catch {
            return Check(
                name: "guardrails",
                status: .error,
                detail: "the bundled guardrail rules cannot be loaded",
                fix: "healthground rules test (it names the rule and field at fault)"
            )
        }
    }

    static func dataDirectoryCheck(_ folder: URL) -> Check {
        let probe = folder.appendingPathComponent(".doctor-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("ok".utf8).write(to: probe)
            try FileManager.default.removeItem(at: probe)
            return Check(name: "data", status: .ok, detail: "data directory \(folder.path) is writable", fix: nil)
        } catch {
            return Check(
                name: "data",
                status: .error,
                detail: "data directory \(folder.path) is not writable",
                fix: "mkdir -p \(folder.path) && chmod u+rwx \(folder.path), or set HEALTHGROUND_DATA"
            )
        }
    }

    static func sqliteFacts() -> (String, Bool) {
        do {
            let queue = try DatabaseQueue()
            return try queue.read { db in
                let version = try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "unknown"
                let fts5 = try Bool.fetchOne(db, sql: "SELECT sqlite_compileoption_used('ENABLE_FTS5')") ?? false
                return (version, fts5)
            }
        } catch {
            return ("unavailable", false)
        }
    }

    /// The resolved path of the shared object that provides `cblas_sgemm`.
    public static func blasLibraryPath() -> String? {
        guard let raw = hg_blas_library_path() else { return nil }
        return URL(fileURLWithPath: String(cString: raw)).resolvingSymlinksInPath().path
    }

    /// The best of a few timed 512×512×384 sgemm calls, in GFLOP/s.
    public static func measureSGEMM() -> Double {
        ExactSearch.measureSGEMMRate(m: 512, n: 512, k: 384)
    }

    static func lapackeWorks() -> Bool {
        // The eigenvalues of [[2, 1], [1, 2]] are 1 and 3.
        var matrix: [Float] = [2, 1, 1, 2]
        var values: [Float] = [0, 0]
        let info = LAPACKE_ssyevd(
            hg_lapack_row_major,
            Int8(UInt8(ascii: "N")),
            Int8(UInt8(ascii: "U")),
            2,
            &matrix,
            2,
            &values
        )
        return info == 0 && abs(values[0] - 1) < 1e-4 && abs(values[1] - 3) < 1e-4
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
