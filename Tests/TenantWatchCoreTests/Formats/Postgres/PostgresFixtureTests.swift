import Testing
@testable import TenantWatchCore

/// The real captures, read in all three formats.
@Suite struct PostgresFixtureTests {
    @Test func fixturesLoadFromTheBundle() {
        #expect(PG.fixture("pg15_phase1_stderr.log").count > 1000)
    }

    @Test(arguments: [("pg15_phase1_stderr.log", "pg15_phase1.csv", "pg15_phase1.json"),
                      ("pg15_phase2_verbose_pgaudit_logrows_stderr.log", "pg15_phase2_verbose_pgaudit_logrows.csv",
                       "pg15_phase2_verbose_pgaudit_logrows.json")])
    func threeFormatsGiveTheSameStatements(_ names: (String, String, String)) {
        let (se, sp) = PG.parse(fixture: names.0)
        let (ce, cp) = PG.parse(fixture: names.1)
        let (je, jp) = PG.parse(fixture: names.2)
        #expect(sp.format == .stderr)
        #expect(cp.format == .csvlog)
        #expect(jp.format == .jsonlog)
        let s = PG.keys(se), c = PG.keys(ce), j = PG.keys(je)
        #expect(s.count > 5)
        #expect(s == c)
        #expect(s == j)
        #expect(PG.unparsed(se).isEmpty && PG.unparsed(ce).isEmpty && PG.unparsed(je).isEmpty)
        let sa = PG.audits(se).map { "\($0.auditType) \($0.statementID) \($0.objectName ?? "") \(String(describing: $0.parameters)) \(String(describing: $0.rows))" }
        let ca = PG.audits(ce).map { "\($0.auditType) \($0.statementID) \($0.objectName ?? "") \(String(describing: $0.parameters)) \(String(describing: $0.rows))" }
        let ja = PG.audits(je).map { "\($0.auditType) \($0.statementID) \($0.objectName ?? "") \(String(describing: $0.parameters)) \(String(describing: $0.rows))" }
        #expect(sa == ca)
        #expect(sa == ja)
    }

    @Test func parseBindExecuteTrioIsOneStatement() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let st = PG.statements(events).filter { $0.sql == "SELECT set_config('app.current_tenant', $1, false)" }
        #expect(st.count == 1)
        #expect(st.first?.parameters == ["1"])
        #expect(st.first?.via == .extended(name: "<unnamed>"))
        #expect(st.first?.position.line == 116)
        #expect(st.first?.position.endLine == 117)
        // log_min_duration_statement only: `duration: ... execute` is the one execution.
        let dur = PG.statements(events).filter { $0.sql == "SELECT $1::int + 1 AS ext" }
        #expect(dur.count == 1)
        #expect(dur.first?.parameters == ["41"])
        #expect(PG.statements(events).filter { $0.sql == "SELECT 42 AS simple_no_params" }.count == 1)
    }

    @Test func namedStatementsAndPortals() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let st = PG.statements(events)
        let pg3 = st.filter { $0.via == .extended(name: "_pg3_0") && $0.sql == "SELECT name FROM customers WHERE tenant_id = $1" }
        #expect(pg3.map(\.parameters) == [["1"], ["2"]])
        let s1 = st.filter { $0.via == .extended(name: "S_1") }
        #expect(s1.map(\.parameters) == [["2"], [nil]])
    }

    @Test func nullDoubledQuotesNewlinesAndTruncation() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let st = PG.statements(events)
        let q = st.first { $0.sql.hasPrefix("SELECT id, item FROM orders WHERE tenant_id = $1 AND item = $2") }
        #expect(q?.parameters == ["2", "O'Brien \"q\"\nline2", nil])
        #expect(q?.position.line == 124)   // execute line, its DETAIL spans 125-126
        #expect(q?.position.endLine == 126)
        let blob = st.first { $0.sql == "SELECT $1::bytea AS blob, $2::text AS t" }
        #expect(blob?.parameters == ["\\x000127ff", "tab\there"])
        let long = st.first { $0.sql == "SELECT $1::text AS long_param" }
        #expect(long?.parameters == ["abcdefghij..."])
    }

    @Test func multiLineStatementsKeepNewlinesAndTabs() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let s = PG.statements(events).first { $0.sql.hasPrefix("SELECT o.id,") }
        #expect(s?.sql == "SELECT o.id,\n       o.item,\n\t   c.name   -- tab-indented line\nFROM orders o\nJOIN customers c ON c.tenant_id = o.tenant_id\nWHERE o.tenant_id = current_setting('app.current_tenant')::int;")
        #expect(s?.position.line == 45)
        #expect(s?.position.endLine == 50)
        #expect(s?.time?.rfc3339 == "2026-11-22T13:11:15.700Z")
        #expect(s?.user == "app_user")
        #expect(s?.application == "psql-research")
        #expect(s?.client == "127.0.0.1")
    }

    @Test func errorWithStatement() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let st = PG.statements(events)
        // Logged by log_statement first: the ERROR adds nothing.
        #expect(st.filter { $0.sql == "SELECT * FROM no_such_table WHERE tenant_id = 3;" }.count == 1)
        #expect(st.filter { $0.failed }.count == 1)
        // Failed at execute, never logged as executed: a failed statement with the portal's parameters.
        let boom = st.first { $0.failed }
        #expect(boom?.sql == "SELECT 1 / $1::int AS boom, $2::text AS tenant")
        #expect(boom?.parameters == ["0", "t-2"])
        #expect(boom?.via == .extended(name: "<unnamed>"))
    }

    @Test func sqlLevelPrepareExecute() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let st = PG.statements(events)
        let exec = st.first { $0.position.line == 78 }
        // The body is the prepared statement, read by libpg_query: not the `;` that ended the PREPARE.
        #expect(exec?.sql == "SELECT * FROM orders WHERE tenant_id = $1")
        #expect(exec?.parameters == ["2"])
        #expect(exec?.via == .simple)
        #expect(exec?.position.endLine == 79)
    }

    @Test func pgauditWithParametersAndRowsAfterCommit() {
        let (events, _) = PG.parse(fixture: "pg15_phase2_verbose_pgaudit_logrows_stderr.log")
        let audits = PG.audits(events)
        let first = audits.first { $0.objectName == "public.orders" && $0.command == "SELECT" }
        #expect(first?.parameters == ["2", "it's, \"x\""])
        #expect(first?.rows == 2)
        #expect(first?.auditClass == "READ")
        #expect(first?.statement == "SELECT o.id, c.name FROM orders o JOIN customers c USING (tenant_id) WHERE o.tenant_id = $1 AND c.name <> $2")
        let update = audits.first { $0.command == "UPDATE" }
        #expect(update?.parameters == [nil, "1"])
        let insert = audits.first { $0.command == "INSERT" }
        #expect(insert?.parameters == ["3", "multi\nline"])
        #expect(audits.first?.parameters == [])   // <none>
        // log_rows: the worker's AUDIT lines arrive after its COMMIT statement.
        let commit = PG.statements(events).first { $0.sql == "COMMIT" && $0.application == "worker" }!
        let late = audits.filter { $0.statement == "SELECT count(*) FROM customers WHERE tenant_id = $1" }
        #expect(late.count == 2)
        #expect(late.allSatisfy { $0.position.line > commit.position.line && $0.rows == 1 && $0.parameters == ["1"] })
        #expect(late.allSatisfy { $0.backend == commit.backend })
        // <not logged> in phase 1.
        let (e1, _) = PG.parse(fixture: "pg15_phase1.json")
        #expect(PG.audits(e1).allSatisfy { $0.parameters == nil && $0.rows == nil })
    }

    @Test func verboseStderrKeepsSqlstateAndLocation() {
        let (events, parser) = PG.parse(fixture: "pg15_phase2_verbose_pgaudit_logrows_stderr.log",
            prefix: "%m [%p] %q%u@%d/%a %r sess=%c l=%l vxid=%v xid=%x sqlstate=%e qid=%Q bt=%b tag=%i t=%t n=%n ")
        #expect(parser.statistics.severities["ERROR"] == 1)
        #expect(PG.unparsed(events).isEmpty)
        #expect(parser.statistics.backendEnds == 4)
        let ends = events.compactMap { if case .backendEnded(let b, _, let pos) = $0 { return (b, pos) } else { return nil } }
        #expect(ends.first?.0 == BackendID(pid: 13067, sessionID: "6b02ea26.330b"))
        #expect(ends.first?.1.line == 5)
        #expect(ends.first?.1.endLine == 6)
    }

    @Test func prefixChangeAnnouncedByReloadIsFollowed() {
        let (events, p) = PG.parse(fixture: "pg15_phase1_stderr.log", prefix: "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ")
        #expect(PG.unparsed(events).isEmpty)
        #expect(p.activePrefix == "%m [%p] %q%u@%d/%a %r sess=%c l=%l vxid=%v xid=%x sqlstate=%e qid=%Q bt=%b tag=%i t=%t n=%n ")
        let last = PG.statements(events).last
        #expect(last?.sql == "SELECT pg_rotate_logfile()")
        #expect(last?.backend == BackendID(pid: 13067, sessionID: "6b02ea26.330b"))
        #expect(last?.user == "postgres")
        #expect(last?.application == "psql")
    }

    /// A quiet backend's last record (its disconnection) is completed as log time moves on, not
    /// held to the end of the file: events stay close to time order.
    @Test func quietBackendsAreCompletedAsTimeAdvances() {
        let (events, _) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let end12807 = events.firstIndex { if case .backendEnded(let b, _, _) = $0 { return b.pid == 12807 } else { return false } }
        let first12824 = events.firstIndex { if case .statement(let s) = $0 { return s.backend.pid == 12824 } else { return false } }
        #expect(end12807 != nil && first12824 != nil && end12807! < first12824!)
        let times = events.compactMap(\.time).map(\.microseconds)
        let inversions = zip(times, times.dropFirst()).filter { $0 > $1 + 3_000_000 }.count
        #expect(inversions == 0)
    }
}
