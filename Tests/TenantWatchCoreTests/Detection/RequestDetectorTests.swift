import Testing
@testable import TenantWatchCore

func auditRequest(id: String = "r1", tenant: String? = "acme", verification: CallerIdentity.Verification = .verified,
                  claimed: String? = nil, host: String? = "acme.example.com", hostTenant: String? = "acme",
                  status: Int? = 200, response: [String] = [], refresh: String? = nil, issued: String? = nil,
                  session: String? = nil, reason: String? = nil) -> AuditRequest {
    AuditRequest(position: SourcePosition(file: "audit.log", line: 3), time: Timestamp(seconds: 100),
                 requestID: id, route: "/invoices", host: host, hostTenant: hostTenant,
                 caller: CallerIdentity(tenant: tenant, claimedTenant: claimed ?? tenant, source: .token,
                                        verification: verification, reason: reason, sessionID: session,
                                        maskedToken: "eyJhbG…abcd"),
                 responseTenants: response, status: status, refreshToken: refresh, issuedRefreshToken: issued)
}

@Suite struct CrossTenantResponseDetectorTests {
    @Test func flagsForeignTenantsInTheResponse() throws {
        var d = CrossTenantResponseDetector()
        let f = try #require(d.inspect(auditRequest(response: ["acme", "globex", "globex"]), context: .init()).first)
        #expect(f.kind == .crossTenantResponse)
        #expect(f.accessedTenants == ["globex"])
        #expect(f.callerTenant == "acme")
        #expect(f.severity == .critical)
    }

    @Test func ownTenantOnlyErrorsAndUntrustedCallersAreNotJudged() {
        var d = CrossTenantResponseDetector()
        #expect(d.inspect(auditRequest(response: ["acme"]), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(status: 403, response: ["globex"]), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(tenant: nil, verification: .invalid, claimed: "acme", response: ["globex"]), context: .init()).isEmpty)
    }
}

@Suite struct TokenHostMismatchDetectorTests {
    @Test func tokenForOneTenantOnAnothersHost() throws {
        var d = TokenHostMismatchDetector()
        let f = try #require(d.inspect(auditRequest(host: "globex.example.com", hostTenant: "globex"), context: .init()).first)
        #expect(f.kind == .tokenHostMismatch)
        #expect(f.accessedTenants == ["globex"])
    }

    @Test func matchingOrUnknownHostIsNotAMismatch() {
        var d = TokenHostMismatchDetector()
        #expect(d.inspect(auditRequest(), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(host: nil, hostTenant: nil), context: .init()).isEmpty)
    }
}

@Suite struct UnresolvedTenantDetectorTests {
    let context = RequestDetectionContext(knownTenants: TenantRegistry(configured: ["acme", "globex"]), hostPatternConfigured: true)

    @Test func missingHostAnsweredOK() {
        var d = UnresolvedTenantDetector()
        #expect(d.inspect(auditRequest(host: nil, hostTenant: nil), context: context).first?.kind == .unresolvedTenant)
    }

    @Test func hostNamingNoTenantOrAnUnknownOne() {
        var d = UnresolvedTenantDetector()
        #expect(d.inspect(auditRequest(host: "www.example.com", hostTenant: nil), context: context).count == 1)
        #expect(d.inspect(auditRequest(host: "nosuch.example.com", hostTenant: "nosuch"), context: context).count == 1)
    }

    @Test func controls() {
        var d = UnresolvedTenantDetector()
        #expect(d.inspect(auditRequest(), context: context).isEmpty)
        #expect(d.inspect(auditRequest(host: nil, hostTenant: nil, status: 404), context: context).isEmpty)
        #expect(d.inspect(auditRequest(host: nil, hostTenant: nil), context: .init()).isEmpty, "no host pattern configured")
    }
}

@Suite struct UnsignedTokenDetectorTests {
    @Test func algNoneIsFlaggedWithTheClaimedTenant() throws {
        var d = UnsignedTokenDetector()
        let f = try #require(d.inspect(auditRequest(tenant: nil, verification: .invalid, claimed: "globex", reason: "alg none"),
                                       context: .init()).first)
        #expect(f.kind == .unsignedToken)
        #expect(f.message.contains("alg none"))
        #expect(f.callerTenant == nil)
        #expect(f.accessedTenants == ["globex"])
    }

    @Test func verifiedAndUnverifiedTokensAreFine() {
        var d = UnsignedTokenDetector()
        #expect(d.inspect(auditRequest(), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(verification: .unverified), context: .init()).isEmpty)
    }
}

@Suite struct RefreshTokenReuseDetectorTests {
    @Test func reuseAfterRotationNamesTheFamilysSessions() throws {
        var d = RefreshTokenReuseDetector()
        #expect(d.inspect(auditRequest(id: "a", refresh: "rt-1", issued: "rt-2", session: "s-owner"), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(id: "b", refresh: "rt-2", issued: "rt-3", session: "s-owner"), context: .init()).isEmpty)
        let f = try #require(d.inspect(auditRequest(id: "c", refresh: "rt-1", issued: "rt-9", session: "s-thief"), context: .init()).first)
        #expect(f.kind == .refreshTokenReuse)
        #expect(f.message.contains("s-owner"))
        #expect(f.message.contains("s-thief"))
    }

    @Test func firstUseAndFailedRotationAreNotReuse() {
        var d = RefreshTokenReuseDetector()
        #expect(d.inspect(auditRequest(id: "a", status: 401, refresh: "rt-1", issued: "rt-2"), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(id: "b", refresh: "rt-1", issued: "rt-2"), context: .init()).isEmpty)
    }

    @Test func memoryIsBounded() {
        var d = RefreshTokenReuseDetector(capacity: 100)
        for i in 0..<1000 { _ = d.inspect(auditRequest(id: "\(i)", refresh: "t\(i)", issued: "t\(i + 1)"), context: .init()) }
        // Still works for recent tokens after eviction (a detector that keeps nothing fails here)...
        #expect(d.inspect(auditRequest(id: "x", refresh: "t998"), context: .init()).count == 1)
        // ...and the oldest rotated tokens are forgotten (one that keeps everything fails here).
        #expect(d.inspect(auditRequest(id: "y", refresh: "t0"), context: .init()).isEmpty)
        #expect(d.inspect(auditRequest(id: "z", refresh: "t500"), context: .init()).isEmpty)
    }
}

@Suite struct StatementContextDetectorTests {
    func withRequest(_ s: AnalyzedStatement, caller: String?, session: String? = nil) -> AnalyzedStatement {
        var s = s
        s.request = RequestContext(auditRequest(tenant: caller))
        s.sessionTenant = session
        return s
    }

    @Test func confinedToAnotherTenantThanTheCaller() throws {
        let s = withRequest(analyzed("SELECT * FROM invoices WHERE tenant_id = $1", verdict: .scoped, tenants: ["globex"]), caller: "acme")
        let f = try #require(CrossTenantQueryDetector().inspect(s).first)
        #expect(f.callerTenant == "acme")
        #expect(f.accessedTenants == ["globex"])
        #expect(f.requestID == "r1")
        #expect(f.evidence.count == 2)
    }

    @Test func confinedToTheCallerIsClean() {
        let s = withRequest(analyzed("SELECT ...", verdict: .scoped, tenants: ["acme"]), caller: "acme")
        #expect(CrossTenantQueryDetector().inspect(s).isEmpty)
        #expect(TenantContextMismatchDetector().inspect(s).isEmpty)
    }

    @Test func pooledConnectionCarryingAnotherTenant() throws {
        let s = withRequest(analyzed("SELECT * FROM projects", verdict: .rls, tables: ["projects"]), caller: "acme", session: "globex")
        let f = try #require(TenantContextMismatchDetector().inspect(s).first)
        #expect(f.kind == .tenantContextMismatch)
        #expect(f.accessedTenants == ["globex"])
    }

    @Test func missingPredicateGainsTheCaller() throws {
        let s = withRequest(analyzed("SELECT * FROM invoices", verdict: .unscoped), caller: "acme")
        let f = try #require(MissingTenantPredicateDetector().inspect(s).first)
        #expect(f.callerTenant == "acme")
        #expect(f.route == "/invoices")
    }
}

@Suite struct CallerVerificationFieldTests {
    @Test func findingsSayHowFarTheCallerIsTrusted() throws {
        var d = TokenHostMismatchDetector()
        let verified = try #require(d.inspect(auditRequest(host: "globex.example.com", hostTenant: "globex"), context: .init()).first)
        #expect(verified.callerVerification == "verified")
        var u = UnsignedTokenDetector()
        let invalid = try #require(u.inspect(auditRequest(tenant: nil, verification: .invalid, claimed: "acme", reason: "alg none"),
                                             context: .init()).first)
        #expect(invalid.callerVerification == "invalid")
        #expect(FindingPrinter.json(invalid).contains("\"caller_verification\":\"invalid\""))
        let background = try #require(MissingTenantPredicateDetector().inspect(analyzed("SELECT * FROM invoices", verdict: .unscoped)).first)
        #expect(background.callerVerification == nil)
    }
}
