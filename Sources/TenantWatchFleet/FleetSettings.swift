import Foundation
import TOMLKit
import TenantWatchCore

/// The `[nats]` table of tenantwatch.toml: where the fleet's NATS cluster is and how its streams
/// are kept. `ConfigurationLoader` lets the table through and this reads and checks it (the same
/// split as `[dashboard]`), so the single-machine configuration knows nothing of NATS.
public struct FleetSettings: Sendable, Equatable {
    /// Comma-separated `nats://host:port` URLs of cluster nodes (`--nats` overrides).
    public var urls: String?
    /// Copies of each stream (`--replicas` overrides): 3 survives a node down.
    public var replicas: Int = 3
    /// Seconds a message id is remembered to drop a re-published line.
    public var duplicateWindow: Double = 600
    /// The host name `ship` puts in subjects and ids (default: the machine's).
    public var host: String?

    public init() {}

    /// Reads `[nats]` from the config file at `path` (nil or absent: defaults).
    public static func load(configPath: String?) throws -> FleetSettings {
        var settings = FleetSettings()
        guard let configPath, let data = FileManager.default.contents(atPath: configPath),
              let text = String(data: data, encoding: .utf8) else { return settings }
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch { return settings }  // ConfigurationLoader reports syntax
        guard let value = root["nats"] else { return settings }
        func fail(_ key: String, _ message: String) -> ConfigError {
            ConfigError(file: configPath, key: key.isEmpty ? "nats" : "nats.\(key)", message: message)
        }
        guard let table = value.table else { throw fail("", "must be a table: write [nats]") }
        let known: Set<String> = ["urls", "replicas", "duplicate_window", "host"]
        for key in table.keys where !known.contains(key) {
            throw fail(key, "unknown key (expected one of: \(known.sorted().joined(separator: ", ")))")
        }
        if let v = table["urls"] {
            if let s = v.string {
                settings.urls = s
            } else if let a = v.array, a.allSatisfy({ $0.string != nil }), !a.isEmpty {
                settings.urls = a.compactMap(\.string).joined(separator: ",")
            } else {
                throw fail("urls", "must be a string or an array of strings (nats://host:port)")
            }
        }
        if let v = table["replicas"] {
            guard let n = v.int, [1, 3, 5].contains(n) else { throw fail("replicas", "must be 1, 3 or 5") }
            settings.replicas = n
        }
        if let v = table["duplicate_window"] {
            guard let n = v.int ?? v.double.map({ Int($0) }), n >= 1 else {
                throw fail("duplicate_window", "must be a number of seconds, at least 1")
            }
            settings.duplicateWindow = Double(n)
        }
        if let v = table["host"] {
            guard let s = v.string, !s.isEmpty else { throw fail("host", "must be a non-empty string") }
            settings.host = s
        }
        return settings
    }
}
