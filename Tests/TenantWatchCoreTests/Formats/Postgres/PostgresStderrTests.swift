import Testing
@testable import TenantWatchCore

/// stderr specifics: prefixes, forgery, interleaving, zones, broken input.
@Suite struct PostgresStderrTests {
    /// Records straight from the stderr reader, for field-level checks.
    static func records(_ lines: [String], prefix: String?, timezone: String = "UTC") -> ([PostgresLogRecord], [UnparsedLine]) {
        var reader = StderrLogReader(prefix: prefix, timezone: timezone, file: "t.log")
        var out = PostgresReaderSink()
        for (i, l) in lines.enumerated() {
            var s = l
            s.withUTF8 { reader.feed($0, lineNumber: i + 1, into: &out) }
        }
        reader.finish(into: &out)
        var recs: [PostgresLogRecord] = [], bad: [UnparsedLine] = []
        for o in out.outputs {
            switch o { case .record(let r): recs.append(r); case .unparsed(let u): bad.append(u) }
        }
        return (recs, bad)
    }

    @Test func forgeryFixtureMatchesTheJsonTwin() {
        let (se, sp) = PG.parse(fixture: "pg15_phase3_appname_injection_stderr.log")
        let (je, _) = PG.parse(fixture: "pg15_phase3_appname_injection.json")
        #expect(PG.keys(se) == PG.keys(je))
        let st = PG.statements(se)
        #expect(st.map(\.sql) == ["SELECT 1", "SELECT 2"])
        #expect(!st.contains { $0.sql.contains("customers") })
        #expect(st.allSatisfy { $0.user == "app_user" && $0.client == "127.0.0.1" })
        #expect(st.map(\.backend.pid) == [14817, 14819])
        #expect(st[0].application == "x,client=6.6.6.6 LOG:  statement: SELECT * FROM customers --")
        #expect(st[0].applicationNameLooksForged)
        #expect(!st[1].applicationNameLooksForged)
        #expect(sp.statistics.forgedApplicationNames > 0)
        #expect(PG.unparsed(se).isEmpty)
        let ends = se.compactMap { if case .backendEnded(let b, _, _) = $0 { return b.pid } else { return nil } }
        #expect(ends == [14026, 14817, 14819])
    }

    /// With the classic prefix the forged text fits the prefix too: the reading whose application
    /// name the backend announced (or, lacking that, the longest one) wins.
    @Test func forgeryWithAmbiguousClassicPrefix() {
        let prefix = "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "
        let app = "x,client=6.6.6.6 LOG:  statement: SELECT * FROM customers --"
        let authorized = "2026-11-22 14:16:49.250 CET [14817]: [3-1] user=app_user,db=postgres,app=[unknown],client=127.0.0.1 LOG:  connection authorized: user=app_user database=postgres application_name=\(app)"
        let forged = "2026-11-22 14:16:49.253 CET [14817]: [4-1] user=app_user,db=postgres,app=\(app),client=127.0.0.1 LOG:  statement: SELECT 1"
        for lines in [[authorized, forged], [forged]] {
            let (events, p) = PG.parse(text: lines.joined(separator: "\n"), prefix: prefix, timezone: "Europe/Berlin")
            let st = PG.statements(events)
            #expect(st.map(\.sql) == ["SELECT 1"])
            #expect(st.first?.client == "127.0.0.1")
            #expect(st.first?.application == app)
            #expect(st.first?.applicationNameLooksForged == true)
            #expect(p.statistics.ambiguousPrefixLines == 1)
        }
    }

    @Test func forgedPidInApplicationNameIsNotBelieved() {
        let prefix = "%m [%p] %q%u@%d/%a "
        let line = "2026-11-22 13:00:00.000 UTC [100] bob@db/evil LOG:  statement: x 2026-11-22 13:00:00.000 UTC [999] root@db/psql LOG:  statement: SELECT 1"
        let (events, _) = PG.parse(text: line, prefix: prefix)
        let st = PG.statements(events)
        #expect(st.count == 1)
        #expect(st.first?.backend.pid == 100)
        #expect(st.first?.user == "bob")
    }

    @Test func nocollectorRecordStartingMidLine() {
        let (events, p) = PG.parse(fixture: "nocollector_interleaved_excerpt.log", timezone: "UTC")
        #expect(p.activePrefix == "%m [%p] ")
        let st = PG.statements(events)
        #expect(st.count == 1)
        #expect(st.first?.backend.pid == 13817)
        #expect(st.first?.sql.hasPrefix("SELECT length('AAAA") == true)
        #expect(st.first?.sql.contains("\nAAAA") == true)
        #expect(st.first?.sql.contains("EEEE") == false)
        #expect(st.first?.position == SourcePosition(file: "nocollector_interleaved_excerpt.log", line: 4, endLine: 7))
        #expect(st.first?.time?.rfc3339 == "2026-11-22T13:13:17.508Z")
        // The orphan continuation lines (their record began before the excerpt) are counted.
        #expect(PG.unparsed(events).map(\.position.line) == [1, 2, 3, 4])
        #expect(p.statistics.recordsSplitInsideLines == 1)
    }

    @Test func everyPrefixEscape() {
        let prefix = "%t|%a|%u|%d|%r|%c|%l|%s|%v|%x|%e|%i|%b|%Q|%% %q%p "
        let lines = [
            "2026-11-22 14:12:06 CET|my app|alice|shop|10.0.0.7(5432)|6b02ea26.330b|7|2026-11-22 14:12:00 CET|3/64|0|00000|idle in transaction|client backend|-7411372879061547048|% 4242 LOG:  statement: SELECT 1",
            "2026-11-22 14:12:06 CET|my app|alice|shop|10.0.0.7(5432)|6b02ea26.330b|8|2026-11-22 14:12:00 CET||737|22P02|SELECT|client backend|0|% 4242 ERROR:  invalid input",
            "2026-11-22 14:12:06 CET|my app|alice|shop|10.0.0.7(5432)|6b02ea26.330b|9|2026-11-22 14:12:00 CET||737|22P02|SELECT|client backend|0|% 4242 STATEMENT:  SELECT 'x'::int",
            "2026-11-22 14:12:07 CET|||||6b02e9e8.31ec|3|2026-11-22 14:11:04 CET||0|00000||checkpointer|0|% LOG:  checkpoint starting: time",
        ]
        let (recs, bad) = Self.records(lines, prefix: prefix, timezone: "Europe/Berlin")
        #expect(bad.isEmpty)
        #expect(recs.count == 3)
        let r = recs[0]
        #expect(r.time?.rfc3339 == "2026-11-22T13:12:06.000Z")
        #expect(r.application == "my app")
        #expect(r.user == "alice")
        #expect(r.database == "shop")
        #expect(r.clientHost == "10.0.0.7")
        #expect(r.sessionID == "6b02ea26.330b")
        #expect(r.sessionLine == 7)
        #expect(r.sqlstate == "00000")
        #expect(r.backendType == "client backend")
        #expect(r.queryID == -7411372879061547048)
        #expect(r.pid == 4242)
        #expect(r.message == "statement: SELECT 1")
        #expect(recs[1].severity == "ERROR")
        #expect(recs[1].statement == "SELECT 'x'::int")
        #expect(recs[1].sqlstate == "22P02")
        #expect(recs[1].position == SourcePosition(file: "t.log", line: 2, endLine: 3))
        // %q: the checkpointer has no session, the prefix stops there.
        #expect(recs[2].pid == nil)
        #expect(recs[2].backendType == "checkpointer")
        #expect(recs[2].message == "checkpoint starting: time")
    }

    @Test func epochHostPaddingAndNumericZones() {
        let (recs, bad) = Self.records([
            "1795353126.090 [12] db.example.com %-10u| LOG:  connection received",
            "1795353126.090 [12] db.example.com bob       | LOG:  statement: SELECT 1",
        ], prefix: "%n [%p] %h %-10u| ")
        #expect(bad.isEmpty)
        #expect(recs.first?.user == "%-10u")  // padded field: trailing spaces trimmed, text kept
        #expect(recs.last?.user == "bob")
        #expect(recs.last?.clientHost == "db.example.com")
        #expect(recs.last?.time?.rfc3339 == "2026-11-22T13:12:06.090Z")

        let (r2, b2) = Self.records([
            "2026-11-22 14:11:04.170 +01 [1] LOG:  a",
            "2026-11-22 18:41:04.170 +0530 [2] LOG:  b",
            "2026-11-22 08:11:04.170 -05 [3] LOG:  c",
        ], prefix: "%m [%p] ")
        #expect(b2.isEmpty)
        #expect(r2.map { $0.time?.rfc3339 } == ["2026-11-22T13:11:04.170Z", "2026-11-22T13:11:04.170Z", "2026-11-22T13:11:04.170Z"])
    }

    @Test func zoneAbbreviationsUseTheConfiguredZone() {
        let (recs, _) = Self.records([
            "2026-11-22 14:11:04.170 CET [1] LOG:  winter",
            "2026-07-01 14:11:04.170 CEST [1] LOG:  summer",
        ], prefix: "%m [%p] ", timezone: "Europe/Berlin")
        #expect(recs.map { $0.time?.rfc3339 } == ["2026-11-22T13:11:04.170Z", "2026-07-01T12:11:04.170Z"])
        let (ny, _) = Self.records(["2026-01-15 09:00:00.000 EST [1] LOG:  x"], prefix: "%m [%p] ", timezone: "America/New_York")
        #expect(ny.first?.time?.rfc3339 == "2026-01-15T14:00:00.000Z")
        let (utc, _) = Self.records(["2026-01-15 09:00:00.000 UTC [1] LOG:  x"], prefix: "%m [%p] ", timezone: "Europe/Berlin")
        #expect(utc.first?.time?.rfc3339 == "2026-01-15T09:00:00.000Z")
    }

    @Test func inferredCommonPrefixes() {
        let cases: [(String, String)] = [
            ("2026-11-22 13:00:00.000 UTC [7] LOG:  statement: SELECT 1", "%m [%p] "),
            ("2026-11-22 13:00:00.000 UTC [7] bob@shop LOG:  statement: SELECT 1", "%m [%p] %q%u@%d "),
            ("2026-11-22 13:00:00 UTC [7]: [3-1] user=bob,db=shop,app=psql,client=10.1.1.1 LOG:  statement: SELECT 1", "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "),
        ]
        for (line, prefix) in cases {
            let (events, p) = PG.parse(text: line)
            #expect(p.activePrefix == prefix)
            #expect(PG.statements(events).map(\.sql) == ["SELECT 1"])
            #expect(PG.statements(events).first?.backend.pid == 7)
        }
        let (events, _) = PG.parse(text: "2026-11-22 13:00:00 UTC [7]: [3-1] user=bob,db=shop,app=psql,client=10.1.1.1 LOG:  statement: SELECT 1")
        #expect(PG.statements(events).first?.user == "bob")
        #expect(PG.statements(events).first?.client == "10.1.1.1")
    }

    @Test func unparsableLinesAreCountedAndReadingGoesOn() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7] LOG:  statement: SELECT 1
        garbage that is no log line
        2026-11-22 13:00:01.000 UTC [7] LOG:  statement: SELECT 2
        also garbage
        2026-11-22 13:00:02.000 UTC [8] LOG:  statement: SELECT 3
        """
        let (events, p) = PG.parse(text: text, prefix: "%m [%p] ")
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1", "SELECT 2", "SELECT 3"])
        #expect(PG.unparsed(events).map(\.position.line) == [2, 4])
        #expect(PG.unparsed(events).first?.reason.contains("log_line_prefix") == true)
        #expect(p.statistics.unparsed == 2)
        #expect(p.statistics.firstUnparsed == SourcePosition(file: "test.log", line: 2))
        #expect(p.statistics.lines == 5)
    }

    @Test func unknownPrefixAsksForConfiguration() {
        let (events, _) = PG.parse(text: "<<13:00:00 pid=7>> LOG:  statement: SELECT 1", format: .stderr)
        #expect(PG.unparsed(events).first?.reason.contains("set `prefix`") == true)
    }

    @Test func translatedSeverityIsReportedOnce() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7] FEHLER:  Relation »x« existiert nicht
        2026-11-22 13:00:00.000 UTC [7] ANWEISUNG:  SELECT * FROM x
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        let u = PG.unparsed(events)
        #expect(u.count == 2)
        #expect(u[0].reason.contains("lc_messages"))
        #expect(u[0].reason.contains("FEHLER"))
        #expect(u[1].reason.count < u[0].reason.count)
    }

    @Test func interleavedBackendsKeepTheirSecondaryLines() {
        let text = """
        2026-11-22 13:00:00.000 UTC [1] LOG:  execute S_1: SELECT $1
        2026-11-22 13:00:00.000 UTC [2] LOG:  execute S_1: SELECT $1
        2026-11-22 13:00:00.000 UTC [2] DETAIL:  parameters: $1 = 'two'
        2026-11-22 13:00:00.000 UTC [1] DETAIL:  parameters: $1 = 'one, $2 = ''x''
        \tsecond line'
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        let st = PG.statements(events).sorted { $0.backend.pid < $1.backend.pid }
        #expect(st.map(\.parameters) == [["one, $2 = 'x'\nsecond line"], ["two"]])
        #expect(st[0].position == SourcePosition(file: "test.log", line: 1, endLine: 5))
    }

    @Test func flushOlderThanCompletesQuietBackends() {
        var p = PostgresLogParser(format: .stderr, prefix: "%m [%p] ", timezone: "UTC", file: "live")
        var events: [Event] = []
        p.feed(line: "2026-11-22 13:00:00.000 UTC [1] LOG:  statement: SELECT 1", lineNumber: 1, into: &events)
        p.flush(olderThanSeconds: 5, into: &events)
        #expect(PG.statements(events).isEmpty)
        p.feed(line: "2026-11-22 13:00:10.000 UTC [2] LOG:  checkpoint starting: time", lineNumber: 2, into: &events)
        p.flush(olderThanSeconds: 5, into: &events)
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1"])
        p.finish(into: &events)
        #expect(p.statistics.records == 2)
    }

    @Test func durationRepeatingTheLoggedStatementIsOneExecution() {
        let text = """
        2026-11-22 13:00:00.000 UTC [1] LOG:  statement: SELECT 1
        2026-11-22 13:00:00.001 UTC [1] LOG:  duration: 0.100 ms  statement: SELECT 1
        2026-11-22 13:00:00.002 UTC [1] LOG:  duration: 0.100 ms  statement: SELECT 1
        2026-11-22 13:00:00.003 UTC [1] LOG:  execute <unnamed>: SELECT $1
        2026-11-22 13:00:00.003 UTC [1] DETAIL:  parameters: $1 = '5'
        2026-11-22 13:00:00.004 UTC [1] LOG:  duration: 0.010 ms  execute <unnamed>: SELECT $1
        2026-11-22 13:00:00.004 UTC [1] DETAIL:  parameters: $1 = '5'
        2026-11-22 13:00:00.005 UTC [1] LOG:  duration: 0.010 ms  bind <unnamed>: SELECT $1
        2026-11-22 13:00:00.005 UTC [1] DETAIL:  parameters: $1 = '6'
        2026-11-22 13:00:00.006 UTC [1] LOG:  execute fetch from S_1/C_2: SELECT $1
        2026-11-22 13:00:00.007 UTC [1] LOG:  execute S_1/C_2: SELECT $1
        2026-11-22 13:00:00.007 UTC [1] DETAIL:  parameters: $1 = '7'
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SELECT 1", "SELECT 1", "SELECT $1", "SELECT $1"])
        #expect(st.map(\.via) == [.simple, .simple, .extended(name: "<unnamed>"), .extended(name: "S_1/C_2")])
        #expect(st[3].parameters == ["7"])
    }
}

@Suite struct PostgresInterpreterEdgeTests {
    @Test func auditAtAnotherLogLevel() {
        let (events, _) = PG.parse(text: "2026-11-22 13:00:00.000 UTC [1] NOTICE:  AUDIT: SESSION,1,1,READ,SELECT,,,SELECT 1,<not logged>", prefix: "%m [%p] ")
        #expect(PG.audits(events).map(\.statement) == ["SELECT 1"])
    }

    @Test func bindErrorWithoutExecuteIsAFailedStatement() {
        let text = """
        2026-11-22 13:00:00.000 UTC [1] LOG:  duration: 0.1 ms  parse <unnamed>: SELECT $1::int
        2026-11-22 13:00:00.001 UTC [1] ERROR:  invalid input syntax for type integer: "x"
        2026-11-22 13:00:00.001 UTC [1] CONTEXT:  portal "C_1" with parameters: $1 = 'x'
        2026-11-22 13:00:00.001 UTC [1] STATEMENT:  SELECT $1::int
        2026-11-22 13:00:00.002 UTC [1] ERROR:  syntax error at or near "SELEC"
        2026-11-22 13:00:00.002 UTC [1] STATEMENT:  SELEC 1
        2026-11-22 13:00:00.003 UTC [1] ERROR:  canceling statement due to user request
        """
        let (events, p) = PG.parse(text: text, prefix: "%m [%p] ")
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SELECT $1::int", "SELEC 1"])
        #expect(st.allSatisfy { $0.failed })
        #expect(st.first?.parameters == ["x"])
        #expect(st.first?.via == .extended(name: "C_1"))
        #expect(st.last?.via == .simple)
        #expect(PG.unparsed(events).isEmpty)
        #expect(p.statistics.records == 4)
    }

    @Test func disconnectionEndsTheBackend() {
        let (events, _) = PG.parse(text: "2026-11-22 13:00:00.000 UTC [9] LOG:  disconnection: session time: 0:00:00.010 user=a database=b host=[local]", prefix: "%m [%p] ")
        guard case .backendEnded(let b, let t, let pos)? = events.first else { Issue.record("no event"); return }
        #expect(b == BackendID(pid: 9))
        #expect(t?.rfc3339 == "2026-11-22T13:00:00.000Z")
        #expect(pos.line == 1)
    }
}
