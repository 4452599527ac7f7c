import Testing
@testable import TenantWatchCore

/// `[store] url`: the store `live` and `replay` use when `--store` is not given.
@Suite struct StoreConfigurationTests {
    @Test func storeURLIsReadAndOptional() throws {
        let c = try ConfigurationLoader.parse("""
        [store]
        url = "postgres://tw@db.internal:5432/tenantwatch"
        """, baseDirectory: "/")
        #expect(c.store.url == "postgres://tw@db.internal:5432/tenantwatch")
        #expect(StoreLocation.isShared(c.store.url!))
        #expect(try ConfigurationLoader.parse("", baseDirectory: "/").store.url == nil)
        #expect(!StoreLocation.isShared(".tenantwatch/incidents.sqlite"))
    }

    @Test func badStoreKeysNameTheKey() {
        for (text, key) in [("[store]\nurl = 5", "store.url"), ("[store]\npath = \"x\"", "store.path")] {
            do {
                _ = try ConfigurationLoader.parse(text, baseDirectory: "/")
                Issue.record("accepted \(text)")
            } catch let e as ConfigError {
                #expect(e.key == key)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    /// `live`, `replay`, `incidents` and `export` share this rule: `--store` wins, then the
    /// config's url (a relative SQLite path is relative to the config file), then nil.
    @Test func storeIsResolvedFromCommandLineThenConfig() throws {
        let shared = try ConfigurationLoader.parse("[store]\nurl = \"postgres://tw@db:5432/tw\"", baseDirectory: "/etc/tw")
        #expect(StoreLocation.resolve(commandLine: "/tmp/x.sqlite", configuration: shared) == "/tmp/x.sqlite")
        #expect(StoreLocation.resolve(commandLine: nil, configuration: shared) == "postgres://tw@db:5432/tw")
        let relative = try ConfigurationLoader.parse("[store]\nurl = \"state/inc.sqlite\"", baseDirectory: "/etc/tw")
        #expect(StoreLocation.resolve(commandLine: nil, configuration: relative) == "/etc/tw/state/inc.sqlite")
        let absolute = try ConfigurationLoader.parse("[store]\nurl = \"/var/lib/tw.sqlite\"", baseDirectory: "/etc/tw")
        #expect(StoreLocation.resolve(commandLine: nil, configuration: absolute) == "/var/lib/tw.sqlite")
        #expect(StoreLocation.resolve(commandLine: nil, configuration: try ConfigurationLoader.parse("", baseDirectory: "/")) == nil)
    }
}
