import Testing
@testable import TenantWatchCore

/// A request of a caller with (or without) a verified staff privilege.
func staffRequest(tenant: String? = "internal", privilege: StaffPrivilege? = nil, route: String = "/admin/invoices",
                  response: [String]? = nil, status: Int? = 200, verification: CallerIdentity.Verification = .verified) -> AuditRequest {
    var caller = CallerIdentity(tenant: privilege?.impersonatedTenant ?? tenant, claimedTenant: tenant, source: .token,
                                verification: verification, subject: privilege?.staff)
    caller.privilege = privilege
    var r = AuditRequest(position: SourcePosition(file: "audit.log", line: 9), time: Timestamp(seconds: 100), requestID: "r-9",
                         route: route, caller: caller, responseTenants: response ?? [], status: status)
    r.responseTenantsLogged = response != nil
    return r
}

func staffStatement(_ sql: String, verdict: Verdict, tenants: [String] = [], command: String = "SELECT",
                    request: AuditRequest?) -> AnalyzedStatement {
    var s = analyzed(sql, verdict: verdict, tenants: tenants, command: command)
    s.request = request.map(RequestContext.init)
    return s
}

let admin = StaffPrivilege(role: "admin", staff: "alice@corp", reason: "ticket 4711", homeTenant: "internal")
let support = StaffPrivilege(role: "support", staff: "sam@corp", impersonatedTenant: "acme", homeTenant: "internal")

@Suite struct PrivilegedAccessDetectorTests {
    let d = PrivilegedAccessDetector(allTenants: ["acme", "globex", "initech"])

    @Test func adminReadingOneTenantIsRecordedWithStaffTenantAndReason() throws {
        let s = staffStatement("SELECT * FROM invoices WHERE tenant_id = 'globex'", verdict: .scoped, tenants: ["globex"],
                               request: staffRequest(privilege: admin))
        let f = try #require(d.inspect(s).first)
        #expect(f.kind == .privilegedAccess)
        #expect(f.severity == .info)
        #expect(f.accessedTenants == ["globex"])
        #expect(f.callerTenant == "internal")
        #expect(f.message.contains("alice@corp") && f.message.contains("ticket 4711") && f.message.contains("/admin/invoices"))
        #expect(f.evidence.count == 2, "the statement and its request")
    }

    @Test func adminReadingAcrossTenantsNamesTheScope() throws {
        let all = try #require(d.inspect(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest(privilege: admin))).first)
        #expect(all.accessedTenants == ["acme", "globex", "initech"])
        let seen = try #require(d.inspect(staffStatement("SELECT * FROM invoices", verdict: .unscoped,
                                                         request: staffRequest(privilege: admin, response: ["acme", "initech"]))).first)
        #expect(seen.accessedTenants == ["acme", "initech"])
    }

    @Test func impersonatorIsRecordedOnlyForTheImpersonatedTenant() throws {
        let own = staffStatement("SELECT * FROM invoices WHERE tenant_id = 'acme'", verdict: .scoped, tenants: ["acme"],
                                 request: staffRequest(privilege: support))
        let f = try #require(d.inspect(own).first)
        #expect(f.accessedTenants == ["acme"])
        #expect(f.message.contains("impersonating acme"))
        // Another tenant, or every tenant: the leak rules report it, not this one.
        #expect(d.inspect(staffStatement("SELECT * FROM invoices WHERE tenant_id = 'globex'", verdict: .scoped, tenants: ["globex"],
                                         request: staffRequest(privilege: support))).isEmpty)
        #expect(d.inspect(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest(privilege: support))).isEmpty)
    }

    @Test func nothingWithoutPrivilegeOrForOwnRealmOrInserts() {
        #expect(d.inspect(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest())).isEmpty)
        #expect(d.inspect(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: nil)).isEmpty)
        #expect(d.inspect(staffStatement("SELECT * FROM staff_notes WHERE tenant_id = 'internal'", verdict: .scoped, tenants: ["internal"],
                                         request: staffRequest(privilege: admin))).isEmpty)
        #expect(d.inspect(staffStatement("INSERT INTO invoices (amount) VALUES (1)", verdict: .unscoped, command: "INSERT",
                                         request: staffRequest(privilege: admin))).isEmpty)
    }

    @Test func responsesRecordWhatStaffWereShown() throws {
        var d = self.d
        let f = try #require(d.inspect(staffRequest(privilege: admin, response: ["globex", "internal"]), context: .init()).first)
        #expect(f.kind == .privilegedAccess && f.accessedTenants == ["globex"])
        let imp = try #require(d.inspect(staffRequest(privilege: support, response: ["acme", "globex"]), context: .init()).first)
        #expect(imp.accessedTenants == ["acme"], "globex in an acme session is cross_tenant_response's, not an access record")
        #expect(d.inspect(staffRequest(privilege: admin, response: ["globex"], status: 403), context: .init()).isEmpty)
    }
}

@Suite struct PrivilegedAccessPolicyTests {
    let rules = ScanPipeline.defaultStatementDetectors.map(PrivilegedAccessPolicy.wrap)

    func findings(_ s: AnalyzedStatement) -> [FindingKind] {
        rules.flatMap { $0.inspect(s) }.map(\.kind).sorted { $0.rawValue < $1.rawValue }
    }

    @Test func adminCrossTenantReadIsAnAccessRecordNotALeak() {
        let s = staffStatement("SELECT * FROM invoices WHERE tenant_id = 'globex'", verdict: .scoped, tenants: ["globex"],
                               request: staffRequest(privilege: admin))
        #expect(findings(s) == [.privilegedAccess])
        #expect(findings(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest(privilege: admin))) == [.privilegedAccess])
    }

    @Test func theSameStatementsWithoutPrivilegeAreLeaks() {
        let s = staffStatement("SELECT * FROM invoices WHERE tenant_id = 'globex'", verdict: .scoped, tenants: ["globex"],
                               request: staffRequest(tenant: "acme"))
        #expect(findings(s) == [.crossTenantQuery])
        #expect(findings(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest(tenant: "acme"))) == [.missingTenantPredicate])
    }

    @Test func impersonatorTouchingAnotherTenantIsStillALeak() throws {
        let s = staffStatement("SELECT * FROM invoices WHERE tenant_id = 'globex'", verdict: .scoped, tenants: ["globex"],
                               request: staffRequest(privilege: support))
        let leak = try #require(rules.flatMap { $0.inspect(s) }.first)
        #expect(leak.kind == .crossTenantQuery)
        #expect(leak.callerTenant == "acme")
        #expect(leak.message.contains("[caller: support sam@corp (impersonating acme)]"))
        #expect(findings(staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest(privilege: support))) == [.missingTenantPredicate])
    }

    @Test func anInsertWithoutTenantStaysReportedForAdmins() {
        let s = staffStatement("INSERT INTO invoices (amount) VALUES (1)", verdict: .unscoped, command: "INSERT", request: staffRequest(privilege: admin))
        #expect(findings(s) == [.missingTenantPredicate])
    }

    @Test func requestRulesWithholdOnlyCrossTenantKinds() {
        var response = PrivilegedAccessPolicy.wrap(CrossTenantResponseDetector())
        #expect(response.inspect(staffRequest(tenant: "internal", privilege: admin, response: ["globex"]), context: .init()).isEmpty)
        #expect(response.inspect(staffRequest(tenant: "acme", response: ["globex"]), context: .init()).map(\.kind) == [.crossTenantResponse])
        #expect(response.inspect(staffRequest(privilege: support, response: ["globex"]), context: .init()).map(\.kind) == [.crossTenantResponse])
        var host = PrivilegedAccessPolicy.wrap(TokenHostMismatchDetector())
        var onGlobex = staffRequest(tenant: "internal", privilege: admin)
        onGlobex.host = "globex.example.com"
        onGlobex.hostTenant = "globex"
        #expect(host.inspect(onGlobex, context: .init()).isEmpty, "staff work on customers' hosts")
        var impersonatorOnGlobex = staffRequest(privilege: support)
        impersonatorOnGlobex.host = "globex.example.com"
        impersonatorOnGlobex.hostTenant = "globex"
        #expect(host.inspect(impersonatorOnGlobex, context: .init()).map(\.kind) == [.tokenHostMismatch], "acme's session on globex's host")
        var unsigned = PrivilegedAccessPolicy.wrap(UnsignedTokenDetector())
        #expect(unsigned.inspect(staffRequest(tenant: nil, verification: .invalid), context: .init()).map(\.kind) == [.unsignedToken])
    }
}

@Suite struct UnguardedInternalRouteDetectorTests {
    let d = UnguardedInternalRouteDetector(routes: ["/internal/*", "/admin/*"], allTenants: ["acme", "globex"])

    @Test func routePatternsMatchTemplatesAndBarePrefixes() {
        let p = RoutePattern("/internal/*")
        #expect(p.matches("/internal/activities"))
        #expect(p.matches("/internal/a/b/:id"))
        #expect(p.matches("/internal"))
        #expect(p.matches("/internal/activities?page=2"))
        #expect(!p.matches("/internals"))
        #expect(!p.matches("/api/internal/x"))
        #expect(!p.matches("/Internal/activities"))
        #expect(RoutePattern("*/export").matches("/v2/invoices/export"))
    }

    @Test func nonPrivilegedCallerAnsweredOnAnInternalRoute() throws {
        var d = self.d
        let f = try #require(d.inspect(staffRequest(tenant: "acme", route: "/internal/activities", response: ["acme", "globex"]), context: .init()).first)
        #expect(f.kind == .unguardedInternalRoute && f.severity == .high)
        #expect(f.accessedTenants == ["globex"])
        #expect(f.message.contains("/internal/activities (/internal/*) answered 200 to a non-privileged caller of tenant acme"))
        let anonymous = try #require(d.inspect(staffRequest(tenant: nil, route: "/admin/users", verification: .absent), context: .init()).first)
        #expect(anonymous.message.contains("without a token"))
        let forged = try #require(d.inspect(staffRequest(tenant: nil, route: "/admin/users", verification: .invalid), context: .init()).first)
        #expect(forged.message.contains("invalid"))
    }

    @Test func refusedPrivilegedOrPublicRoutesAreFine() {
        var d = self.d
        #expect(d.inspect(staffRequest(tenant: "acme", route: "/internal/activities", status: 403), context: .init()).isEmpty)
        #expect(d.inspect(staffRequest(privilege: admin, route: "/internal/activities"), context: .init()).isEmpty)
        #expect(d.inspect(staffRequest(tenant: "acme", route: "/invoices"), context: .init()).isEmpty)
        var none = UnguardedInternalRouteDetector()
        #expect(none.inspect(staffRequest(tenant: "acme", route: "/internal/activities"), context: .init()).isEmpty)
    }

    @Test func unscopedStatementOfAnInternalRouteForANonPrivilegedCaller() throws {
        let s = staffStatement("SELECT * FROM invoices", verdict: .unscoped, request: staffRequest(tenant: "acme", route: "/internal/activities"))
        let f = try #require(d.inspect(s).first)
        #expect(f.kind == .unguardedInternalRoute)
        #expect(f.tables == ["invoices"] && f.accessedTenants == ["acme", "globex"])
        #expect(d.inspect(staffStatement("SELECT * FROM invoices", verdict: .unscoped,
                                         request: staffRequest(privilege: admin, route: "/internal/activities"))).isEmpty)
        // Without its audit line the caller is unknown: not claimed to be unprivileged.
        var untied = staffStatement("SELECT * FROM invoices /*route='%2Finternal%2Factivities'*/", verdict: .unscoped, request: nil)
        #expect(untied.tags.route == "/internal/activities")
        untied.request = nil
        #expect(d.inspect(untied).isEmpty)
        #expect(d.inspect(staffStatement("SELECT * FROM invoices WHERE tenant_id = 'acme'", verdict: .scoped, tenants: ["acme"],
                                         request: staffRequest(tenant: "acme", route: "/internal/activities"))).isEmpty)
    }
}

@Suite struct PrivilegedPathsIncidentTests {
    @Test func staffAccessNeverJoinsALeakButTheUnguardedRouteJoinsItsLeak() {
        func f(_ kind: FindingKind) -> Finding {
            Finding(kind: kind, severity: .high, time: Timestamp(seconds: 100), message: "", requestID: "r-1",
                    callerTenant: "acme", accessedTenants: ["globex"], route: "/internal/activities")
        }
        var g = IncidentGrouper()
        let leak = g.assign(f(.missingTenantPredicate))
        #expect(g.assign(f(.unguardedInternalRoute)) == leak)
        #expect(g.assign(f(.privilegedAccess)) != leak)
    }
}
