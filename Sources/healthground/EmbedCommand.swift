public import ArgumentParser
import Foundation
public import TextEmbedding

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with all-MiniLM-L6-v2 and print the vectors (for checking).",
        discussion: "Texts come from the arguments, or one per line from standard input when none is given."
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the embedder and the vectors as JSON.") var json = false
    @Option(
        help:
            "Threads: workers sharing many texts, or one text's products split (default: one worker, BLAS' own setting)."
    ) var threads: Int?
    @Option(
        help: """
            How the projections multiply: bfloat16 (float32 sums; where the processor has AVX-512 BF16) \
            or float32 (default: bfloat16 where available).
            """
    ) var precision: ProductPrecision?
    @Option(help: .hidden) var bench: String?
    @Argument(help: "Texts to embed.") var texts: [String] = []

    func run() async throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        let embedder: MiniLMEmbedder
        let clock = ContinuousClock()
        let loadStart = clock.now
        do {
            embedder = try MiniLMEmbedder(
                modelDirectory: options.modelURL,
                threads: threads,
                precision: precision ?? .fastest
            )
        } catch {
            printError("cannot load the model from \(options.modelURL.path): \(error)")
            printError("fix: scripts/setup.sh, or --model-dir")
            throw ExitCode(1)
        }
        let loadTime = clock.now - loadStart
        if let bench {
            try EmbedBenchmark(embedder: embedder, loadTime: loadTime).run(textsFile: URL(fileURLWithPath: bench))
            return
        }
        var inputs = texts
        if inputs.isEmpty {
            while let line = readLine() { inputs.append(line) }
        }
        let vectors = try embedder.embed(inputs)
        if json {
            try printJSON(EmbedOutput(embedder: embedder.identity, vectors: vectors))
        } else {
            print("# \(embedder.identity)")
            for vector in vectors { print(vector.map { String(format: "%.6f", $0) }.joined(separator: " ")) }
        }
    }
}

extension ProductPrecision: ExpressibleByArgument {}

/// What `embed --json` prints.
private struct EmbedOutput: Encodable {
    var embedder: EmbedderIdentity
    var vectors: [[Float]]
}
