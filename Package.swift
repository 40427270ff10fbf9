// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Brain",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "brain", targets: ["brain"]),
        .executable(name: "brainctl", targets: ["brainctl"]),
        .executable(name: "brain-bench", targets: ["brain-bench"]),
        .library(name: "BrainClient", targets: ["BrainClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // protoc-c output for proto/brain.proto, linked against Debian's libprotobuf-c.
        .target(
            name: "CBrainWire",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        // CRC-32C for journal records, with the SSE4.2 instruction where the CPU has it.
        .target(name: "CBrainCRC32C"),
        // The value scanner's first test (may a secret start at this byte pair?) with AVX2
        // nibble shuffles, 64 bytes a call, where the CPU has them.
        .target(name: "CBrainScan"),
        // Linux calls Glibc hides from Swift: the O_DIRECT flag, malloc_trim.
        .target(name: "CBrainSystem"),
        // The daemon's malloc policy, applied before main (linked into `brain` only).
        .target(name: "CBrainMallocTuning"),
        // Swift value types for the wire messages, the frame codec; the only module that touches
        // C pointers. No NIO: BrainCore and BrainStore build on it.
        .target(
            name: "BrainProtocol",
            dependencies: ["CBrainWire"],
            swiftSettings: strictSettings
        ),
        // Frames on SwiftNIO: the frame splitter and ByteBuffer entry points of the codec, shared
        // by the server, the client and brain-bench.
        .target(
            name: "BrainFraming",
            dependencies: [
                "BrainProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // What the command-line tools share: unbuffered console output, duration arguments.
        .target(
            name: "BrainCommandLine",
            swiftSettings: strictSettings
        ),
        // The domain state: pure, synchronous, no I/O, no clock of its own.
        .target(
            name: "BrainCore",
            dependencies: ["BrainProtocol", "CBrainScan"],
            swiftSettings: strictSettings
        ),
        // JSON snapshots, the secret key; atomic file writes and recovery.
        .target(
            name: "BrainStore",
            dependencies: [
                "BrainCore", "BrainProtocol", "CBrainCRC32C", "CBrainSystem",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // SwiftNIO on a Unix socket: connections, calls, streams, timers, the snapshot service.
        .target(
            name: "BrainServer",
            dependencies: [
                "BrainCore", "BrainStore", "BrainProtocol", "BrainFraming", "CBrainSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The Swift client: RPC calls and an agent session.
        .target(
            name: "BrainClient",
            dependencies: [
                "BrainProtocol", "BrainFraming",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "brain",
            dependencies: [
                "BrainServer", "BrainStore", "BrainCore", "BrainProtocol", "BrainCommandLine", "CBrainMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "brainctl",
            dependencies: [
                "BrainClient", "BrainProtocol", "BrainCore", "BrainCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "brain-bench",
            dependencies: [
                "BrainClient", "BrainProtocol", "BrainFraming", "BrainServer", "BrainCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Test helpers shared by the test targets (a real brain process, polling); the
        // underscore says it is no API.
        .target(
            name: "_BrainTestSupport",
            dependencies: ["BrainClient", "BrainProtocol"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrainProtocolTests",
            dependencies: [
                "BrainProtocol", "BrainFraming",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrainCoreTests",
            dependencies: ["BrainCore", "BrainProtocol"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BrainStoreTests",
            dependencies: [
                "BrainStore", "BrainCore", "BrainProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The server's pure logic and its pipeline on an EmbeddedChannel (flow control).
        .testTarget(
            name: "BrainServerTests",
            dependencies: [
                "BrainServer", "BrainCore", "BrainProtocol", "BrainFraming", "BrainStore", "_BrainTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["BrainClient", "BrainProtocol", "BrainFraming", "_BrainTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["BrainClient", "BrainProtocol", "BrainFraming", "_BrainTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
