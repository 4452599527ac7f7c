import Testing
@testable import TenantWatchSQL
import TenantWatchTestSupport

@Suite("SQL session changes and tenant resolution")
struct SQLSessionAndResolverTests {
    let analyzer = TenantPredicateAnalyzer(schema: sampleSchema)

    @Test(arguments: [
        ("SET app.current_tenant = 'acme'", [SessionTenantChange.set(.literal("acme"), local: false)]),
        ("SET LOCAL app.current_tenant TO 42", [.set(.literal("42"), local: true)]),
        ("SET app.current_tenant TO acme", [.set(.literal("acme"), local: false)]),
        ("SET SESSION App.Current_Tenant = 'x'", [.set(.literal("x"), local: false)]),
        ("SELECT set_config('app.current_tenant', $1, true)", [.set(.parameter(1), local: true)]),
        ("SELECT pg_catalog.set_config('app.current_tenant', 'globex', false)", [.set(.literal("globex"), local: false)]),
        ("RESET app.current_tenant", [.reset]),
        ("SET app.current_tenant TO DEFAULT", [.reset]),
        ("RESET ALL", [.reset]),
        ("DISCARD ALL", [.reset]),
        ("SET search_path = public", []),
        ("SELECT set_config('search_path', '', false)", []),
        ("BEGIN; SET LOCAL app.current_tenant = 'a'; SELECT 1; RESET app.current_tenant", [.beginTransaction, .set(.literal("a"), local: true), .reset]),
    ] as [(String, [SessionTenantChange])])
    func sessionChange(_ sql: String, _ expected: [SessionTenantChange]) {
        #expect(analyzer.analyze(sql).sessionChanges == expected, "\(sql)")
    }

    @Test func resolvesParametersAndSession() {
        let a = analyzer.analyze("SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.tenant_id = $2 AND c.tenant_id = current_setting('app.current_tenant')::int")
        let r = TenantResolver.resolve(a, parameters: ["7", "acme"], sessionTenant: "globex")
        #expect(r.tenants == ["acme", "globex"])
        #expect(r.unresolved.isEmpty)
    }

    @Test func unresolvedWhenMissing() {
        let a = analyzer.analyze("SELECT * FROM orders WHERE tenant_id = $3 OR tenant_id = current_setting('app.current_tenant')")
        let r = TenantResolver.resolve(a, parameters: ["x"], sessionTenant: nil)
        #expect(r.tenants.isEmpty)
        #expect(Set(r.unresolved) == [.parameter(3), .sessionSetting("app.current_tenant")])
        let nullParam = TenantResolver.resolve(analyzer.analyze("SELECT * FROM orders WHERE tenant_id = $1"), parameters: [nil], sessionTenant: nil)
        #expect(nullParam.unresolved == [.parameter(1)])
    }

    @Test func sessionChangesInTheSameTextApply() {
        let a = analyzer.analyze("SET LOCAL app.current_tenant = 'acme'; SELECT * FROM orders WHERE tenant_id = current_setting('app.current_tenant')::int")
        #expect(TenantResolver.resolve(a, parameters: [], sessionTenant: "globex").tenants == ["acme"])
        let b = analyzer.analyze("SELECT set_config('app.current_tenant', $1, true); SELECT * FROM orders WHERE tenant_id = current_setting('app.current_tenant')::int")
        #expect(TenantResolver.resolve(b, parameters: ["initech"], sessionTenant: nil).tenants == ["initech"])
        let c = analyzer.analyze("RESET app.current_tenant; SELECT * FROM orders WHERE tenant_id = current_setting('app.current_tenant')::int")
        #expect(TenantResolver.resolve(c, parameters: [], sessionTenant: "acme").tenants.isEmpty)
    }

    @Test func otherSettingsAreNotTheSessionTenant() {
        let a = analyzer.analyze("SELECT * FROM orders WHERE tenant_id = current_setting('app.user_org')::int")
        #expect(a.verdict == .scoped)
        let r = TenantResolver.resolve(a, parameters: [], sessionTenant: "acme")
        #expect(r.tenants.isEmpty)
        #expect(r.unresolved == [.sessionSetting("app.user_org")])
    }

    @Test func unscopedItemsContributeNoTenant() {
        let a = analyzer.analyze("SELECT * FROM orders o, customers c WHERE o.tenant_id = $1")
        #expect(a.verdict == .unscoped)
        #expect(TenantResolver.resolve(a, parameters: ["acme"], sessionTenant: nil).tenants == ["acme"])
    }
}
