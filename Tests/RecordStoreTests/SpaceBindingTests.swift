import Foundation
import Logging
import RecordStore
import TestSupport
import Testing

/// A space's file is bound to its space id: a file copied over another space's name is refused.
@Suite struct SpaceBindingTests {
    @Test("a space file copied over another space's file does not open under that name")
    func copiedFileIsRefused() throws {
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let provider = MemoryKeyProvider(current: MemoryKeyProvider.randomKey("k1"))
        for encryption in [SpaceEncryption.disabled, .enabled(provider)] {
            let alice = folder.appendingPathComponent("alice-\(encryption.isEnabled).sqlite")
            let bob = folder.appendingPathComponent("bob-\(encryption.isEnabled).sqlite")
            do {
                let store = try SpaceStore(
                    url: alice,
                    logger: Logger(label: "test"),
                    encryption: encryption,
                    spaceID: "alice"
                )
                #expect(store.spaceID == "alice")
            }
            try FileManager.default.copyItem(at: alice, to: bob)
            #expect(throws: StoreError.self) {
                try SpaceStore(url: bob, logger: Logger(label: "test"), encryption: encryption, spaceID: "bob")
            }
            // Opened under its own name, the copy is still alice's.
            let same = try SpaceStore(url: bob, logger: Logger(label: "test"), encryption: encryption, spaceID: "alice")
            #expect(same.spaceID == "alice")
        }
    }
}

extension SpaceEncryption {
    var isEnabled: Bool {
        if case .enabled = self { return true }
        return false
    }
}
