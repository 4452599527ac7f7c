// swift-tools-version:6.0
import PackageDescription

/// Release builds leave out the runtime exclusivity checks: on the per-line path of a scan they
/// cost about 5% of the correlating thread. Debug builds (and so `swift test`) keep them, so
/// an overlapping access is still caught by the tests.
let releaseSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// For the lower stages, whose small accessors the per-line path of the stages above calls: the
/// module split put `Event`'s and the SQL layer's getters behind a module boundary, where without
/// this they are calls instead of inlined loads (see BENCHMARKS.md, "Module split").
let lowerStageSettings: [SwiftSetting] = releaseSettings
    + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "tenantwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tenantwatch", targets: ["tenantwatch"]),
        // For the fuzz package in Fuzz/ (a path dependency can only use products).
        .library(name: "TenantWatchCore", targets: ["TenantWatchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
        // `live --metrics`: the Prometheus text exposition (the issue asks for it rather than a
        // hand-written one). Adds swift-metrics' CoreMetrics and swift-atomics.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // ncursesw: a system library plus a shim for the macros and globals Swift cannot import.
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        // libpg_query: PostgreSQL's own parser (Debian libpg-query-dev). No pkg-config file ships.
        .systemLibrary(name: "CPgQuery", path: "Sources/CPgQuery"),
        // zlib (Debian zlib1g-dev; named apart from ZIPFoundation's own `CZlib` module): reads `.gz` archives, including concatenated gzip members.
        .systemLibrary(name: "CSystemZlib", path: "Sources/CSystemZlib"),
        // libpq (Debian libpq-dev): the PostgreSQL client for the shared store (`--store postgres://...`).
        // Chosen over postgres-nio: synchronous like the SQLite store, and no SwiftNIO to build (BENCHMARKS.md).
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        // The NATS C client with JetStream (Debian libnats-dev): the fleet's transport (issue 19).
        .systemLibrary(name: "CNATS", path: "Sources/CNATS"),
        // The pipeline's stages, lowest first; a stage imports only the ones above it in this list.
        // Value types every stage passes along: events, executions, requests, positions, time.
        .target(name: "TenantWatchModel", swiftSettings: lowerStageSettings),
        // libpg_query and what is judged from its parse tree: shapes, schema, tenant predicates.
        .target(name: "TenantWatchSQL", dependencies: ["CPgQuery"], swiftSettings: lowerStageSettings),
        .target(
            name: "TenantWatchCore",
            dependencies: [
                "TenantWatchModel",
                "TenantWatchSQL",
                "CPgQuery",
                "CSystemZlib",
                "CLibPQ",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: releaseSettings
        ),
        .target(
            name: "TenantWatchTUI",
            dependencies: ["TenantWatchCore", "CNCurses", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Fleet mode: the transport protocol, its JetStream implementation, `ship` and the
        // workers. Apart from TenantWatchCore so the single-machine build never needs libnats'
        // code paths, and so a Kafka transport can sit beside it.
        .target(
            name: "TenantWatchFleet",
            dependencies: ["TenantWatchCore", "CNATS", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .executableTarget(
            name: "tenantwatch",
            dependencies: [
                "TenantWatchCore",
                "TenantWatchFleet",
                "TenantWatchTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Synthetic dashboard data for the view tests and the frame benchmark: not part of the
        // shipped dashboard, so the binary carries no fabricated incidents.
        .target(
            name: "TenantWatchSampleData",
            dependencies: ["TenantWatchCore", "TenantWatchTUI"]
        ),
        .executableTarget(
            name: "TenantWatchBench",
            dependencies: ["TenantWatchCore", "TenantWatchTUI", "TenantWatchSampleData"]
        ),
        // Test helpers every test target may use: seeded randomness, the sample schemas.
        .target(name: "TenantWatchTestSupport", dependencies: ["TenantWatchSQL"], path: "Tests/TenantWatchTestSupport"),
        .testTarget(name: "TenantWatchModelTests", dependencies: ["TenantWatchModel"]),
        .testTarget(
            name: "TenantWatchSQLTests",
            // TenantWatchCore: `TenancyModel` (the statement judge) still lives in Correlation.
            dependencies: ["TenantWatchSQL", "TenantWatchCore", "TenantWatchTestSupport"]
        ),
        .testTarget(
            name: "TenantWatchCoreTests",
            dependencies: ["TenantWatchCore", "TenantWatchTestSupport", .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TenantWatchFleetTests",
            dependencies: ["TenantWatchFleet", "TenantWatchCore"]
        ),
        .testTarget(
            name: "TenantWatchTUITests",
            dependencies: ["TenantWatchTUI", "TenantWatchCore", "TenantWatchSampleData", "CNCurses"],
            // Golden screens are read from the source tree by path, not bundled.
            exclude: ["Golden"]
        ),
    ]
)
