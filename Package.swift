// swift-tools-version:6.2
// The Accord Conformance Kit: specs, a runner and a reference server for the Accord
// Engine control-plane API. See docs/architecture.md for the data flow and the modules.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "accord-conformance-kit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accord", targets: ["accord"]),
        .library(name: "ControlPlane", targets: ["ControlPlane"]),
    ],
    dependencies: [
        // Hummingbird's default traits differ between `swift build` and `swift test` and force
        // rebuilds; with no traits it pulls in neither swift-configuration nor full Foundation.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        // Already in the graph through Hummingbird; declared because ControlPlane imports them.
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0", traits: []),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
    ],
    targets: [
        // C bindings: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // hiredis's pkg-config flags carry -D_FILE_OFFSET_BITS, which clang's module import
        // rejects; its headers are in /usr/include/hiredis, found through the shim.
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "AccordJSON", swiftSettings: strict),
        // Requests and responses as values: what the checks judge, without libcurl.
        .target(name: "AccordHTTPTypes", swiftSettings: strict),
        .target(name: "AccordHTTP", dependencies: ["CCurl", "AccordHTTPTypes"], swiftSettings: strict),
        .target(name: "AccordSpec", dependencies: ["AccordJSON", "CYAML"], swiftSettings: strict),
        .target(name: "AccordChecks", dependencies: ["AccordSpec", "AccordJSON", "AccordHTTPTypes", "AccordResults"], swiftSettings: strict),
        .target(
            name: "AccordLoad",
            dependencies: [
                "AccordHTTP", "AccordHTTPTypes", "AccordJSON", "AccordResults", "CCurl", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        .target(name: "AccordProbes", dependencies: ["AccordStorage"], swiftSettings: strict),
        // The one results document (check, load, run, merge): values only.
        .target(name: "AccordResults", dependencies: ["AccordJSON", "CZlib"], swiftSettings: strict),
        .target(name: "AccordReports", dependencies: ["AccordChecks", "AccordSpec", "AccordResults"], swiftSettings: strict),
        // What boots or breaks the world: throwaway PostgreSQL and Redis, the server process,
        // child processes, ports, the orphan watchdog, scratch directories, health and
        // resource probes, the fault injector.
        .target(
            name: "AccordEnvironment",
            dependencies: [
                "AccordHTTP", "AccordHTTPTypes", "AccordSpec", "AccordChecks", "AccordStorage", "AccordProbes", "AccordResults",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AccordRunner",
            dependencies: [
                "AccordSpec", "AccordChecks", "AccordHTTP", "AccordHTTPTypes", "AccordJSON", "AccordProbes", "AccordLoad", "AccordResults",
                "AccordEnvironment", "AccordStorage",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AccordStorage",
            dependencies: [
                "CLibPQ", "CHiredis",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "AccordJSON", "AccordStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The OpenAPI document, compiled in (no bundle to find at run time): OpenAPIDocument.swift.
            resources: [.embedInCode("OpenAPI/openapi.json")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "accord",
            dependencies: [
                "ControlPlane", "AccordRunner", "AccordEnvironment", "AccordSpec", "AccordChecks", "AccordHTTP", "AccordHTTPTypes", "AccordReports",
                "AccordLoad", "AccordResults",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Fuzz targets (docs/reliability.md): a plain build replays input files through each
        // check; scripts/fuzz.sh builds them instrumented with libFuzzer linked in (CFuzzer).
        .systemLibrary(name: "CFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CFuzzer"], swiftSettings: strict),
        .executableTarget(name: "FuzzSpecLoader", dependencies: ["FuzzDriver", "AccordSpec"], swiftSettings: strict),
        .executableTarget(name: "FuzzRequestValidation", dependencies: ["FuzzDriver", "ControlPlane", "AccordJSON"], swiftSettings: strict),
        // What the test targets share: throwaway backends, in-process and child servers, raw
        // sockets, and the build's own executables (never a hard-coded .build/debug).
        .target(
            name: "AccordTestSupport",
            dependencies: [
                "ControlPlane", "AccordEnvironment", "AccordStorage", "AccordHTTP", "AccordHTTPTypes", "AccordJSON", "AccordResults",
                .product(name: "Logging", package: "swift-log"), .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        .testTarget(name: "AccordJSONTests", dependencies: ["AccordJSON"], swiftSettings: strict),
        .testTarget(name: "AccordSpecTests", dependencies: ["AccordSpec", "AccordJSON", "AccordTestSupport"], swiftSettings: strict),
        .testTarget(name: "AccordChecksTests", dependencies: ["AccordChecks", "AccordResults", "AccordSpec", "AccordJSON", "AccordHTTPTypes"], swiftSettings: strict),
        .testTarget(name: "AccordResultsTests", dependencies: ["AccordResults", "AccordJSON", "AccordTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AccordReportsTests", dependencies: ["AccordReports", "AccordResults", "AccordChecks", "AccordSpec", "AccordJSON", "AccordTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "AccordLoadTests",
            dependencies: ["AccordLoad", "AccordHTTP", "AccordHTTPTypes", "AccordJSON", "AccordEnvironment", "AccordTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "AccordStorageTests", dependencies: ["AccordStorage", "AccordTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AccordEnvironmentTests",
            dependencies: [
                "AccordEnvironment", "AccordHTTP", "AccordHTTPTypes", "AccordJSON", "AccordSpec", "ControlPlane", "AccordTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AccordRunnerTests",
            dependencies: [
                "AccordRunner", "AccordEnvironment", "AccordProbes", "AccordStorage", "AccordLoad", "AccordHTTPTypes", "AccordResults",
                "AccordSpec", "AccordJSON", "AccordTestSupport",
            ],
            swiftSettings: strict
        ),
        // The executables as a user runs them: `accord` and the fuzz targets, as child processes.
        .testTarget(name: "AccordCommandTests", dependencies: ["AccordResults", "AccordEnvironment", "AccordHTTP", "AccordJSON", "AccordTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "ControlPlane", "AccordHTTP", "AccordHTTPTypes", "AccordJSON", "AccordRunner", "AccordStorage", "AccordSpec", "AccordChecks",
                "AccordLoad", "AccordResults", "AccordTestSupport",
            ],
            swiftSettings: strict
        ),
    ]
)
