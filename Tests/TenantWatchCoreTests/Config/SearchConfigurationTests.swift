import Testing
@testable import TenantWatchCore

@Suite struct SearchConfigurationTests {
    static func key(_ toml: String) -> String? {
        do { _ = try ConfigurationLoader.parse(toml, baseDirectory: "/"); return nil }
        catch let e as ConfigError { return e.key }
        catch { return "other: \(error)" }
    }

    @Test func readsTheSearchSection() throws {
        let c = try ConfigurationLoader.parse("""
        [search]
        tenant_fields = ["organization_id"]
        indices = ["activities-*", "documents"]
        global_indices = ["help-articles"]
        scoped_aliases = { "activities-acme" = "acme" }

        [audit]
        search_body = "search.body"
        search_index = "search.index"

        [[source]]
        kind = "search"
        path = "/var/log/elasticsearch/*_index_search_slowlog.json"
        """, baseDirectory: "/")
        #expect(c.search.tenantFields == ["organization_id"])
        #expect(c.search.indices == ["activities-*", "documents"])
        #expect(c.search.globalIndices == ["help-articles"])
        #expect(c.search.scopedAliases == ["activities-acme": "acme"])
        #expect(c.auditSearch.body == "search.body" && c.auditSearch.index == "search.index")
        #expect(c.sources.first?.kind == .search)
    }

    @Test func badSearchConfigNamesTheKey() {
        #expect(Self.key("[search]\ntenant_field = [\"a\"]") == "search.tenant_field")
        #expect(Self.key("[search]\ntenant_fields = []") == "search.tenant_fields")
        #expect(Self.key("[search]\ntenant_fields = \"organization_id\"") == "search.tenant_fields")
        #expect(Self.key("[search]\ntenant_fields = [\"a\"]\nindices = [\"bad index\"]") == "search.indices")
        #expect(Self.key("[search]\ntenant_fields = [\"a\"]\nglobal_indices = [\"a,b\"]") == "search.global_indices")
        #expect(Self.key("[search]\nindices = [\"a\"]") == "search.tenant_fields")
        #expect(Self.key("[search]\ntenant_fields = [\"a\"]\nscoped_aliases = { x = 1 }") == "search.scoped_aliases.x")
        #expect(Self.key("[audit]\nsearch_index = \"i\"") == "audit.search_index")
        #expect(Self.key("[[source]]\nkind = \"elastic\"\npath = \"x\"") == "source[1].kind")
    }
}

@Suite struct SearchBundleSafeFieldsTests {
    @Test func theSearchBodyPathNeverReachesTheAllowList() throws {
        let c = try ConfigurationLoader.parse("""
        [audit]
        search_body = "search.body"
        [export]
        safe_fields = ["user_agent", "search.body", "search", "search.body.query"]
        """, baseDirectory: "/")
        #expect(c.bundleSafeFields == ["user_agent"])
        #expect(Configuration().bundleSafeFields == [])
    }
}
