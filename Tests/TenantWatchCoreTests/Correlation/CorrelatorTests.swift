import Testing
@testable import TenantWatchCore

/// Drives the correlator with hand-built events, as the merged sources would.
@Suite struct CorrelatorTests {
    let schema = TenancySchema(pgDump: """
        CREATE TABLE public.invoices (id integer, tenant_id text NOT NULL, total numeric);
        CREATE TABLE public.projects (id integer, tenant_id text NOT NULL, name text);
        ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
        CREATE POLICY p ON public.projects USING (tenant_id = current_setting('app.current_tenant'));
        CREATE TABLE public.plans (id integer, name text);
        """)

    func correlator(window: Double = 10) -> Correlator {
        Correlator(model: TenancyModel(schema: schema, sessionSetting: "app.current_tenant"),
                   limits: Correlator.Limits(windowSeconds: window))
    }

    func stmt(_ sql: String, pid: Int = 100, at s: Double, params: [String?] = [], line: Int = 1) -> Event {
        .statement(StatementExecution(position: SourcePosition(file: "pg.log", line: line), time: Timestamp(seconds: s),
                                      backend: BackendID(pid: pid), sql: sql, parameters: params))
    }

    func request(_ id: String, tenant: String?, at s: Double, response: [String] = [], line: Int = 1) -> Event {
        .request(AuditRequest(position: SourcePosition(file: "audit.log", line: line), time: Timestamp(seconds: s),
                              requestID: id, caller: CallerIdentity(tenant: tenant, source: .token, verification: .unverified),
                              responseTenants: response, status: 200))
    }

    func run(_ c: Correlator, _ events: [Event]) -> [CorrelatedEvent] {
        var out: [CorrelatedEvent] = []
        for e in events { c.ingest(e) { out.append($0) } }
        c.finish { out.append($0) }
        return out
    }

    func statements(_ out: [CorrelatedEvent]) -> [AnalyzedStatement] {
        out.compactMap { if case .statement(let s) = $0 { return s } else { return nil } }
    }

    @Test func statementWaitsForTheAuditLineWrittenAfterIt() {
        let c = correlator()
        let out = run(c, [
            stmt("SELECT * FROM invoices WHERE tenant_id = $1 /*request_id='r1'*/", at: 1.0, params: ["globex"]),
            request("r1", tenant: "acme", at: 1.2),
        ])
        let s = statements(out)
        #expect(s.count == 1)
        #expect(s[0].request?.requestID == "r1")
        #expect(s[0].callerTenant == "acme")
        #expect(s[0].accessedTenants == ["globex"])
        // The request event follows its statements and names their lines.
        guard case .request(_, let lines, _) = out.last else { Issue.record("no request"); return }
        #expect(lines.count == 1)
    }

    @Test func statementAfterItsRequestStillJoins() {
        let c = correlator()
        let s = statements(run(c, [
            request("r2", tenant: "acme", at: 1.0),
            stmt("SELECT * FROM invoices WHERE tenant_id = 'acme' /*request_id='r2'*/", at: 1.1),
        ]))
        #expect(s.first?.callerTenant == "acme")
    }

    @Test func requestThatNeverComesReleasesTheStatementAfterTheWindow() {
        let c = correlator(window: 5)
        var out: [CorrelatedEvent] = []
        c.ingest(stmt("SELECT * FROM invoices /*request_id='lost'*/", at: 1.0)) { out.append($0) }
        #expect(out.isEmpty)
        c.ingest(stmt("SELECT 1", at: 7.0)) { out.append($0) }
        #expect(statements(out).count == 2)
        #expect(statements(out)[0].request == nil)
        #expect(c.statistics.unmatchedStatements == 1)
    }

    @Test func sessionTenantFollowsSetResetAndDisconnect() {
        let c = correlator()
        let s = statements(run(c, [
            stmt("SET app.current_tenant = 'acme'", at: 1),
            stmt("SELECT * FROM projects", at: 2),
            stmt("SELECT set_config('app.current_tenant', $1, false)", at: 3, params: ["globex"]),
            stmt("SELECT * FROM projects", at: 4),
            stmt("RESET app.current_tenant", at: 5),
            stmt("SELECT * FROM projects", at: 6),
            stmt("SET app.current_tenant TO 'initech'", pid: 200, at: 7),
            .backendEnded(BackendID(pid: 200), Timestamp(seconds: 8), SourcePosition(file: "pg.log", line: 9)),
            stmt("SELECT * FROM projects", pid: 200, at: 9),
        ]))
        #expect(s.map(\.sessionTenant) == [nil, "acme", "acme", "globex", "globex", nil, nil, nil])
    }

    @Test func setLocalLastsUntilTheTransactionEnds() {
        let c = correlator()
        let s = statements(run(c, [
            stmt("SET LOCAL app.current_tenant = 'acme'", at: 1),   // outside a transaction: no effect
            stmt("SELECT * FROM projects", at: 2),
            stmt("BEGIN", at: 3),
            stmt("SELECT set_config('app.current_tenant', 'globex', true)", at: 4),
            stmt("SELECT * FROM projects", at: 5),
            stmt("COMMIT", at: 6),
            stmt("SELECT * FROM projects", at: 7),
        ]))
        #expect(s[1].sessionTenant == nil)
        #expect(s[4].sessionTenant == "globex")
        #expect(s[6].sessionTenant == nil)
    }

    @Test func rollbackUndoesASetMadeInTheTransaction() {
        let c = correlator()
        let s = statements(run(c, [
            stmt("SET app.current_tenant = 'acme'", at: 1),
            stmt("BEGIN", at: 2),
            stmt("SET app.current_tenant = 'globex'", at: 3),
            stmt("SELECT * FROM projects", at: 4),
            stmt("ROLLBACK", at: 5),
            stmt("SELECT * FROM projects", at: 6),
            stmt("BEGIN", at: 7),
            stmt("SET app.current_tenant = 'initech'", at: 8),
            stmt("COMMIT", at: 9),
            stmt("SELECT * FROM projects", at: 10),
        ]))
        #expect(s[3].sessionTenant == "globex")
        #expect(s[5].sessionTenant == "acme")
        #expect(s[9].sessionTenant == "initech")
    }

    @Test func currentSettingResolvesToTheSessionTenant() {
        let c = correlator()
        let s = statements(run(c, [
            stmt("SET app.current_tenant = 'acme'", at: 1),
            stmt("SELECT * FROM invoices WHERE tenant_id = current_setting('app.current_tenant')", at: 2),
        ]))
        #expect(s[1].accessedTenants == ["acme"])
    }

    @Test func pendingStatementsAreBoundedByCapacity() {
        var limits = Correlator.Limits(windowSeconds: 1000)
        limits.maxPendingStatements = 10
        let c = Correlator(model: TenancyModel(schema: schema, sessionSetting: "app.current_tenant"), limits: limits)
        var released = 0
        for i in 0..<100 {
            c.ingest(stmt("SELECT 1 /*request_id='r\(i)'*/", at: Double(i) * 0.001)) { _ in released += 1 }
        }
        #expect(released >= 89)
        #expect(c.statistics.droppedForCapacity >= 89)
    }
}
