import ArgumentParser
import Foundation
import HealthGround

struct ProjectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pca",
        abstract: "Fit and store a PCA projection of a space's vectors, for `search --scan pca`."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: "The space.") var space: String
    @Option(help: "The reduced dimension.") var components = 128

    func run() async throws {
        guard components > 0 else { throw ValidationError("--components must be positive") }
        let share = try await options.engine().space(space).buildProjection(components: components)
        print("\(space): \(components) components explain \(String(format: "%.1f", share * 100))% of the variance")
    }
}
