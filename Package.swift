// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "HealthGround",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HealthGround", targets: ["HealthGround"]),
        .executable(name: "healthground", targets: ["healthground"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // C at the edge: the generic `blas` and `lapacke` ABIs, resolved at run time by Debian's
        // alternatives system (OpenBLAS when libopenblas0-pthread is installed).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE"),
        // Element-wise kernels (softmax, GELU, LayerNorm, the int8 scan) in C, with an AVX2+FMA build
        // chosen at run time and a portable one otherwise.
        .target(name: "CKernels"),

        .target(
            name: "HealthRecords",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .target(
            name: "TextEmbedding",
            dependencies: [
                "CBLAS",
                "CKernels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "VectorSearch",
            dependencies: ["CBLAS", "CLAPACKE", "CKernels"]
        ),
        .target(
            name: "RecordStore",
            dependencies: [
                "HealthRecords",
                "TextEmbedding",
                "VectorSearch",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Guardrails",
            dependencies: [
                "HealthRecords",
                "TextEmbedding",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/guardrail-rules.yaml")]
        ),
        .target(
            name: "HealthGround",
            dependencies: [
                "HealthRecords",
                "TextEmbedding",
                "VectorSearch",
                "RecordStore",
                "Guardrails",
                "CBLAS",
                "CLAPACKE",
                "CKernels",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GroundingEval",
            dependencies: [
                "HealthGround",
                "HealthRecords",
                "TextEmbedding",
                "Guardrails",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "healthground",
            dependencies: [
                "HealthGround",
                "HealthRecords",
                "RecordStore",
                "TextEmbedding",
                "VectorSearch",
                "CBLAS",
                "GroundingEval",
                "Guardrails",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Parse-throughput runner for scripts/bench/ingest.sh; depends on HealthRecords only.
        .executableTarget(name: "ingest-bench", dependencies: ["HealthRecords"]),
        // Times the exact and int8 searches against the machine's limits (scripts/bench/search.sh).
        .executableTarget(name: "search-bench", dependencies: ["VectorSearch", "CBLAS", "CKernels"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "HealthRecordsTests",
            dependencies: [
                "HealthRecords", "TestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(name: "TextEmbeddingTests", dependencies: ["TextEmbedding", "CKernels", "TestSupport"]),
        .testTarget(name: "VectorSearchTests", dependencies: ["VectorSearch", "CKernels", "TestSupport"]),
        .testTarget(
            name: "RecordStoreTests",
            dependencies: [
                "RecordStore", "VectorSearch", "TextEmbedding", "HealthRecords", "TestSupport",
                // SQLite's own porter tokenizer is the reference for the Swift stemmer.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "HealthGroundTests",
            dependencies: [
                "HealthGround", "HealthRecords", "RecordStore", "TextEmbedding", "TestSupport", "GroundingEval",
                "Guardrails",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GroundingEvalTests",
            dependencies: [
                "GroundingEval", "Guardrails", "HealthGround", "HealthRecords", "TextEmbedding", "TestSupport",
            ]
        ),
        .testTarget(
            name: "GuardrailsTests",
            dependencies: ["Guardrails", "HealthRecords", "TextEmbedding", "TestSupport"]
        ),
    ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    // The project's own code builds without warnings.
    settings.append(.treatAllWarnings(as: .error))
    target.swiftSettings = settings
}
