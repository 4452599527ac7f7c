import Testing
@testable import TenantWatchCore
import TenantWatchTestSupport

/// `unconfined_child_access` on statements judged by a model over `childSchema`, with and
/// without the request that issued them.
@Suite struct UnconfinedChildAccessDetectorTests {
    let model = TenancyModel(schema: childSchema, sessionSetting: "app.current_tenant")
    let detector = UnconfinedChildAccessDetector()

    func statement(_ sql: String, failed: Bool = false) -> AnalyzedStatement {
        model.analyze(StatementExecution(position: SourcePosition(file: "postgresql.log", line: 12),
                                         time: Timestamp(microseconds: 1_795_353_409_000_000),
                                         backend: BackendID(pid: 7), application: "billing-api", sql: sql, failed: failed))
    }

    func request(caller: String, response: [String], status: Int = 200, route: String = "/pos/{id}/messages") -> RequestContext {
        RequestContext(AuditRequest(position: SourcePosition(file: "audit.log", line: 4), time: nil, requestID: "r-1",
                                    route: route,
                                    caller: CallerIdentity(tenant: caller, claimedTenant: caller, source: .token, verification: .verified),
                                    responseTenants: response, status: status))
    }

    @Test func childByKeyIsMediumWithTheChildTable() throws {
        let s = statement("SELECT * FROM messages WHERE po_id = 41")
        #expect(s.verdict == .unconfinedChild)
        let f = try #require(detector.inspect(s).first)
        #expect(f.kind == .unconfinedChildAccess)
        #expect(f.severity == .medium)
        #expect(f.tables == ["messages"])
        #expect(f.message.contains("found only by its own keys"))
        #expect(f.accessedTenants.isEmpty)
    }

    @Test func responseOfAnotherTenantRaisesItToCrossTenantQuery() throws {
        var s = statement("SELECT * FROM messages WHERE po_id = 41")
        s.request = request(caller: "acme", response: ["globex"])
        let f = try #require(detector.inspect(s).first)
        #expect(f.kind == .crossTenantQuery)
        #expect(f.severity == .high)
        #expect(f.accessedTenants == ["globex"])
        #expect(f.callerTenant == "acme")
    }

    @Test func noExactEvidenceStaysMedium() throws {
        // Own tenant only, an empty response, or a failed request: nothing shows another tenant.
        for (response, status) in [(["acme"], 200), ([], 200), (["globex"], 404)] {
            var s = statement("UPDATE line_items SET qty = 1 WHERE id = 9")
            s.request = request(caller: "acme", response: response, status: status)
            let f = try #require(detector.inspect(s).first)
            #expect(f.kind == .unconfinedChildAccess, "\(response) \(status)")
        }
    }

    @Test func confinedFailedAndOtherVerdictsAreLeftAlone() {
        #expect(detector.inspect(statement("SELECT m.* FROM messages m JOIN purchase_orders p ON p.id = m.po_id AND p.org_id = 'acme'")).isEmpty)
        #expect(detector.inspect(statement("SELECT * FROM messages")).isEmpty, "unscoped is missing_tenant_predicate's")
        #expect(detector.inspect(statement("SELECT * FROM messages WHERE id = 3", failed: true)).isEmpty)
        #expect(MissingTenantPredicateDetector().inspect(statement("SELECT * FROM messages WHERE id = 3")).isEmpty)
    }

    @Test func groupedByTableAndRouteWhoeverCalls() {
        var grouper = IncidentGrouper()
        var ids: Set<String> = []
        for caller in ["acme", "globex", "initech"] {
            var s = statement("SELECT * FROM messages WHERE po_id = 41")
            s.request = request(caller: caller, response: [caller])
            for f in detector.inspect(s) { ids.insert(grouper.assign(f)) }
        }
        #expect(ids.count == 1)
        var other = statement("SELECT * FROM attachments WHERE id = 2")
        other.request = request(caller: "acme", response: ["acme"])
        #expect(!ids.contains(grouper.assign(detector.inspect(other)[0])), "another table is another incident")
        var route = statement("SELECT * FROM messages WHERE po_id = 41")
        route.request = request(caller: "acme", response: ["acme"], route: "/inbox")
        #expect(!ids.contains(grouper.assign(detector.inspect(route)[0])), "another route is another incident")
    }
}
