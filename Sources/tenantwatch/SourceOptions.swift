import ArgumentParser
import Foundation
import TenantWatchCore

/// The options every log-reading command shares: the config file and the SOURCES of the contract.
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Config file (default ./tenantwatch.toml when it exists).", valueName: "F"))
    var config: String?

    @Option(name: .customLong("postgres"), help: ArgumentHelp("A PostgreSQL log (path, glob or - for stdin).", valueName: "PATH"))
    var postgres: [String] = []

    @Option(name: .customLong("audit"), help: ArgumentHelp("An application audit log (JSON lines).", valueName: "PATH"))
    var audit: [String] = []

    @Option(name: .customLong("redis"), help: ArgumentHelp("Redis MONITOR output.", valueName: "PATH"))
    var redis: [String] = []

    @Option(name: .customLong("search"), help: ArgumentHelp("An Elasticsearch/OpenSearch search slow log.", valueName: "PATH"))
    var search: [String] = []

    @Argument(help: ArgumentHelp("Log files whose kind is detected from their content.", valueName: "SOURCES"))
    var paths: [String] = []

    /// The configuration with the command line's sources replacing the config file's.
    func loadConfiguration() throws -> Configuration {
        var configuration = try SourceOptions.configuration(at: config)
        var fromCommandLine: [SourceSpec] = []
        // Sources named on the command line inherit the prefix and timezone of a config source of
        // the same kind, so `--postgres other.log` still reads with the server's prefix; the format
        // is detected from the content (the other file may be the csvlog twin).
        func template(_ kind: SourceKind) -> SourceSpec? { configuration.sources.first { $0.kind == kind } }
        for p in postgres {
            var spec = SourceSpec(kind: .postgres, path: p)
            if let t = template(.postgres) { spec.prefix = t.prefix; spec.timezone = t.timezone }
            fromCommandLine.append(spec)
        }
        for p in audit { fromCommandLine.append(SourceSpec(kind: .audit, path: p)) }
        for p in redis { fromCommandLine.append(SourceSpec(kind: .redis, path: p)) }
        for p in search { fromCommandLine.append(SourceSpec(kind: .search, path: p)) }
        for p in paths {
            var spec = SourceSpec(kind: nil, path: p)
            if let t = template(.postgres) { spec.prefix = t.prefix; spec.timezone = t.timezone }
            fromCommandLine.append(spec)
        }
        if !fromCommandLine.isEmpty { configuration.sources = fromCommandLine }
        return configuration
    }

    /// `--config F`, else `./tenantwatch.toml` when it exists, else the defaults.
    static func configuration(at path: String?) throws -> Configuration {
        if let path {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigError(file: path, key: "", message: "no such config file")
            }
            return try ConfigurationLoader.load(path: path)
        }
        if FileManager.default.fileExists(atPath: ConfigurationLoader.defaultFileName) {
            return try ConfigurationLoader.load(path: ConfigurationLoader.defaultFileName)
        }
        return Configuration()
    }
}
