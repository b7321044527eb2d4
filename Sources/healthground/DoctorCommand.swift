import ArgumentParser
import HealthGround
import TextEmbedding

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check SQLite/FTS5, BLAS, LAPACKE, the model files and the data directory."
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let engine = options.engine()
        let report = Doctor.run(
            dataDirectory: options.dataURL,
            modelDirectory: options.modelURL,
            embedder: Self.describe(engine.configuration.embedder)
        )
        if json {
            try printJSON(report)
        } else {
            for check in report.checks {
                let mark =
                    switch check.status {
                    case .ok: "ok     "
                    case .warning: "WARNING"
                    case .error: "ERROR  "
                    }
                print("\(mark) \(check.name): \(check.detail)")
                if let fix = check.fix { print("        fix: \(fix)") }
            }
        }
        if !report.isHealthy { throw ExitCode(1) }
    }

    /// The embedder's identity, and for MiniLM how its projections multiply.
    static func describe(_ embedder: any Embedder) -> String {
        let identity = embedder.identity.description
        guard let miniLM = embedder as? MiniLMEmbedder else { return identity }
        return identity + " (\(miniLM.precision.rawValue) products)"
    }
}
