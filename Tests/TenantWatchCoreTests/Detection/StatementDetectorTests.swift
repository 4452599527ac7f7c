import Testing
@testable import TenantWatchCore

/// Builds an analysed statement the way the pipeline would, for one detector at a time.
func analyzed(_ sql: String, verdict: Verdict, tables: [String] = ["invoices"], unscoped: [String]? = nil,
              tenants: [String] = [], app: String? = "billing-api", failed: Bool = false,
              command: String = "SELECT", line: Int = 7) -> AnalyzedStatement {
    let execution = StatementExecution(position: SourcePosition(file: "postgresql.log", line: line),
                                       time: Timestamp(microseconds: 1_795_353_409_000_000 + Int64(line)),
                                       backend: BackendID(pid: 4242), application: app, sql: sql, failed: failed)
    return AnalyzedStatement(execution: execution, tags: SQLCommenter.tags(in: sql), verdict: verdict,
                             tables: tables, unscopedTables: unscoped ?? (verdict == .unscoped ? tables : []),
                             accessedTenants: tenants, fingerprint: "fp-\(sql.count)", command: command)
}

@Suite struct MissingTenantPredicateDetectorTests {
    let detector = MissingTenantPredicateDetector()

    @Test func flagsUnscopedRead() throws {
        let s = analyzed("SELECT * FROM invoices /*request_id='req-9',route='%2Fexport'*/", verdict: .unscoped)
        let f = try #require(detector.inspect(s).first)
        #expect(f.kind == .missingTenantPredicate)
        #expect(f.severity == .high)
        #expect(f.tables == ["invoices"])
        #expect(f.requestID == "req-9")
        #expect(f.route == "/export")
        #expect(f.application == "billing-api")
        #expect(f.evidence == [SourcePosition(file: "postgresql.log", line: 7)])
    }

    @Test func namesOnlyTheUnscopedTables() throws {
        let s = analyzed("SELECT ...", verdict: .unscoped, tables: ["orders", "customers"], unscoped: ["customers"])
        #expect(try #require(detector.inspect(s).first).tables == ["customers"])
    }

    @Test func leavesScopedRLSAndNotApplicableAlone() {
        for v in [Verdict.scoped, .rls, .notApplicable, .unparseable, .multiTenant] {
            #expect(detector.inspect(analyzed("SELECT 1", verdict: v)).isEmpty, "verdict \(v)")
        }
    }

    @Test func ignoresStatementsTheServerRejected() {
        #expect(detector.inspect(analyzed("SELECT * FROM invoices", verdict: .unscoped, failed: true)).isEmpty)
    }

    @Test func insertWithoutTenantIsMedium() throws {
        let f = try #require(detector.inspect(analyzed("INSERT INTO invoices (n) VALUES (1)", verdict: .unscoped, command: "INSERT")).first)
        #expect(f.severity == .medium)
    }

    @Test func unknownApplicationNameIsNotAnApplication() throws {
        let f = try #require(detector.inspect(analyzed("SELECT * FROM invoices", verdict: .unscoped, app: "[unknown]")).first)
        #expect(f.application == nil)
    }
}

@Suite struct CrossTenantQueryDetectorTests {
    let detector = CrossTenantQueryDetector()

    @Test func flagsMultiTenantVerdict() throws {
        let f = try #require(detector.inspect(analyzed("SELECT * FROM invoices WHERE tenant_id IN ('acme','globex')",
                                                       verdict: .multiTenant, tenants: ["globex", "acme"])).first)
        #expect(f.kind == .crossTenantQuery)
        #expect(f.accessedTenants == ["acme", "globex"])
    }

    @Test func flagsParametersBoundToDifferentTenants() {
        let s = analyzed("SELECT * FROM a JOIN b ON true WHERE a.tenant_id = $1 AND b.tenant_id = $2",
                         verdict: .scoped, tenants: ["acme", "globex"])
        #expect(detector.inspect(s).count == 1)
    }

    @Test func sameTenantTwiceIsScoped() {
        let s = analyzed("...", verdict: .scoped, tenants: ["acme", "acme"])
        #expect(detector.inspect(s).isEmpty)
    }

    @Test func unscopedIsTheOtherDetectorsJob() {
        #expect(detector.inspect(analyzed("SELECT * FROM invoices", verdict: .unscoped)).isEmpty)
    }
}

@Suite struct FindingAggregatorTests {
    @Test func foldsRepeatsOfOneStatementShape() {
        var agg = FindingAggregator(evidenceLimit: 2)
        let d = MissingTenantPredicateDetector()
        for line in 1...5 {
            for f in d.inspect(analyzed("SELECT * FROM invoices", verdict: .unscoped, app: "export-job", line: line)) { agg.add(f) }
        }
        #expect(agg.count == 1)
        let f = agg.findings[0]
        #expect(f.count == 5)
        #expect(f.evidence.map(\.line) == [1, 2])
        #expect(f.time! < f.lastSeen!)
    }

    @Test func keepsRequestsApart() {
        var agg = FindingAggregator()
        let d = MissingTenantPredicateDetector()
        for r in ["a", "b", "a"] {
            for f in d.inspect(analyzed("SELECT * FROM invoices /*request_id='\(r)'*/", verdict: .unscoped)) { agg.add(f) }
        }
        #expect(agg.count == 2)
    }

    @Test func keepsApplicationsApart() {
        var agg = FindingAggregator()
        let d = MissingTenantPredicateDetector()
        for app in ["export-job", "billing-api"] {
            for f in d.inspect(analyzed("SELECT * FROM invoices", verdict: .unscoped, app: app)) { agg.add(f) }
        }
        #expect(agg.count == 2)
    }
}
