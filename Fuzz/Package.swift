// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for tenantwatch's parsers (issue 8). A package of its own so the normal
// `swift build` / `swift test` never compile or link them; `make fuzz` builds this with
// `-sanitize=fuzzer,address -parse-as-library` (libFuzzer supplies `main`).
let fuzzer: (String) -> Target = { name in
    .executableTarget(name: name, dependencies: ["FuzzSupport",
                                                 .product(name: "TenantWatchCore", package: "tenantwatch")])
}

let package = Package(
    name: "tenantwatch-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "tenantwatch", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "TenantWatchCore", package: "tenantwatch")]),
        fuzzer("FuzzStderr"),
        fuzzer("FuzzCSVLog"),
        fuzzer("FuzzAudit"),
        fuzzer("FuzzRedisMonitor"),
        fuzzer("FuzzSearchSlowLog"),
        fuzzer("FuzzSQL"),
        fuzzer("FuzzVerify"),
        fuzzer("FuzzPseudonymise"),
    ]
)
