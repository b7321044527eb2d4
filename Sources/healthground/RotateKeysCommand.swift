import ArgumentParser
import Foundation
import HealthGround
import RecordStore

struct RotateKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-keys",
        abstract: "Re-wrap every space's data key under a new key-encryption key (no data re-encrypted).",
        discussion: """
            Every space is opened first: when one cannot be (its key is missing or wrong), the command
            fails and nothing changes. Until the rotation ends, the key file keeps the old key too.
            """
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        let rotation = try await options.engine().rotateKeys()
        if json {
            try printJSON(rotation)
        } else {
            print(
                "key-encryption key is now \(rotation.keyID): \(rotation.spaces) spaces re-wrapped"
                    + (rotation.directoryKey ? ", directory key re-wrapped" : "")
            )
        }
    }
}
