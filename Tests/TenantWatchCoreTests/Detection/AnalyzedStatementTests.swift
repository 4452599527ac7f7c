import Testing
@testable import TenantWatchCore

/// `AnalyzedStatement` and `RequestContext` share storage between copies (copy-on-write); the
/// correlator changes a held statement's request while detectors may hold other copies.
@Suite struct AnalyzedStatementTests {
    func request(_ id: String, tenant: String) -> RequestContext {
        var r = AuditRequest(position: SourcePosition(file: "audit.log", line: 3), time: nil)
        r.requestID = id
        r.caller = CallerIdentity(tenant: tenant, claimedTenant: tenant, source: .token, verification: .unverified)
        return RequestContext(r)
    }

    func statement() -> AnalyzedStatement {
        AnalyzedStatement(execution: StatementExecution(position: SourcePosition(file: "q.log", line: 1), time: nil,
                                                        backend: BackendID(pid: 1), sql: "SELECT * FROM orders"),
                          verdict: .unscoped, tables: ["orders"], unscopedTables: ["orders"], command: "SELECT",
                          reason: "no predicate")
    }

    @Test func aCopyKeepsItsOwnRequestAndSessionTenant() {
        var held = statement()
        let emitted = held
        held.request = request("r-1", tenant: "acme")
        held.sessionTenant = "globex"
        held.accessedTenants.append("acme")
        held.execution.sql = "SELECT 1"
        #expect(emitted.request == nil && emitted.sessionTenant == nil && emitted.accessedTenants.isEmpty)
        #expect(emitted.execution.sql == "SELECT * FROM orders")
        #expect(held.callerTenant == "acme" && held.sessionTenant == "globex" && held.accessedTenants == ["acme"])
        #expect(held.execution.sql == "SELECT 1")
        #expect(held.tables == ["orders"] && held.reason == "no predicate" && held.verdict == .unscoped)
    }

    @Test func requestContextsCompareByValue() {
        let a = request("r-1", tenant: "acme")
        var b = a
        #expect(a == b)
        b.route = "/orders"
        #expect(a != b)
        #expect(a.route == nil)
        #expect(request("r-1", tenant: "acme") == a)
        #expect(request("r-1", tenant: "globex") != a)
    }
}
