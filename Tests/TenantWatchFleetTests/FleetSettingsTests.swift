import Foundation
import Testing
import TenantWatchCore
import TenantWatchFleet

struct FleetSettingsTests {
    private func load(_ toml: String) throws -> FleetSettings {
        let path = NSTemporaryDirectory() + uniqueName("tw-fleet-") + ".toml"
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The main loader must let [nats] through, and FleetSettings reads it.
        _ = try ConfigurationLoader.load(path: path)
        return try FleetSettings.load(configPath: path)
    }

    @Test func readsTheNatsTable() throws {
        let s = try load("""
        [nats]
        urls = ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]
        replicas = 5
        duplicate_window = 120
        host = "db-1"
        """)
        #expect(s.urls == "nats://10.0.0.1:4222,nats://10.0.0.2:4222")
        #expect(s.replicas == 5)
        #expect(s.duplicateWindow == 120)
        #expect(s.host == "db-1")
    }

    @Test func defaultsWithoutTheTable() throws {
        let s = try load("[tenancy]\ncolumns = [\"tenant_id\"]\n")
        #expect(s == FleetSettings())
        #expect(s.replicas == 3)
    }

    @Test func badKeysNameThemselves() throws {
        let unknown = #expect(throws: ConfigError.self) { _ = try load("[nats]\nurl = \"nats://x\"\n") }
        #expect(unknown?.key == "nats.url")
        let replicas = #expect(throws: ConfigError.self) { _ = try load("[nats]\nreplicas = 2\n") }
        #expect(replicas?.key == "nats.replicas")
    }
}
