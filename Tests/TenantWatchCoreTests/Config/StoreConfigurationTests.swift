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
}
