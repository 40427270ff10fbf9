// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks for the ingestion hot path (decode, apply, encode), run with
// ordo-one's package-benchmark: `swift package --package-path Benchmarks/Micro benchmark`.
// See README.md beside this file.
//
// A separate package, as swift-nio's Benchmarks/ is, so the main package does not
// depend on package-benchmark. The modules under test are built here from the same
// sources through the symlinks in Linked/ (Linked/X -> ../../../Sources/X), with the root
// manifest's settings: `.package(path: "../..")` would name the root package by its
// directory, which differs from clone to clone.

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "BrainBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // ordo-one's package-benchmark, under its current name (the repository was renamed
        // from package-benchmark; the tool warns about the old identifier).
        // MallocInterposer counts mallocs on Swift 6.3+ (no jemalloc needed). Naming the
        // traits leaves out the default RuntimeInterposer trait (ARC counters on Linux with
        // Swift 6.3), and with it a dependency this build does not need.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "CBrainWire",
            path: "Linked/CBrainWire",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        .target(
            name: "BrainProtocol",
            dependencies: ["CBrainWire"],
            path: "Linked/BrainProtocol",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BrainFraming",
            dependencies: [
                "BrainProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Linked/BrainFraming",
            swiftSettings: strictSettings
        ),
        .target(name: "CBrainScan", path: "Linked/CBrainScan"),
        .target(
            name: "BrainCore",
            dependencies: ["BrainProtocol", "CBrainScan"],
            path: "Linked/BrainCore",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BrainBenchmarks",
            dependencies: [
                "BrainProtocol", "BrainFraming", "BrainCore",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/BrainBenchmarks",
            swiftSettings: strictSettings,
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
