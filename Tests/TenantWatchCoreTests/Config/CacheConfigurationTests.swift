import Testing
@testable import TenantWatchCore

/// `[tenancy] tenants` and `[cache] allowed`: what the unscoped_cache_key detector reads.
@Suite struct CacheConfigurationTests {
    @Test func knownTenantsAndAllowedKeys() throws {
        let c = try ConfigurationLoader.parse("""
        [tenancy]
        tenants = ["acme", "globex"]

        [cache]
        allowed = ["plans:*", "feature-flags"]
        """, baseDirectory: "/")
        #expect(c.tenancy.tenants == ["acme", "globex"])
        #expect(c.cache.allowed == ["plans:*", "feature-flags"])
        #expect(UnscopedCacheKeyDetector(cache: c.cache).allowed.map(\.text) == ["plans:*", "feature-flags"])
        #expect(try ConfigurationLoader.parse("", baseDirectory: "/").tenancy.tenants.isEmpty)
    }

    @Test func badTenantListsNameTheKey() {
        for text in ["[tenancy]\ntenants = \"acme\"", "[tenancy]\ntenants = [1]", "[tenancy]\ntenants = [\"\"]"] {
            do {
                _ = try ConfigurationLoader.parse(text, baseDirectory: "/")
                Issue.record("accepted \(text)")
            } catch let e as ConfigError {
                #expect(e.key == "tenancy.tenants")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
