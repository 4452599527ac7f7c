import Testing
@testable import TenantWatchCore

/// The prefixes of the managed platforms and common setups, found without help, and what
/// auto-detection says about them.
@Suite struct PostgresPlatformPrefixTests {
    /// One line of a stderr log read with auto-detection: its statement and the report.
    static func read(_ lines: [String]) -> ([StatementExecution], [UnparsedLine], PostgresLogParser) {
        var p = PostgresLogParser(format: .auto, prefix: nil, timezone: "UTC", file: "x.log")
        p.reports = PostgresFormatReports()
        var events: [Event] = []
        for (i, l) in lines.enumerated() { p.feed(line: l, lineNumber: i + 1, into: &events) }
        p.finish(into: &events)
        return (PG.statements(events), PG.unparsed(events), p)
    }

    @Test(arguments: [
        // AWS RDS / Aurora: %t:%r:%u@%d:[%p]:
        ("2024-03-01 10:00:00 UTC:10.0.1.7(51234):app@billing:[4242]:LOG:  statement: SELECT 1",
         "%t:%r:%u@%d:[%p]:", 4242, "app", "billing", "10.0.1.7"),
        // pgBadger's default, short form
        ("2024-03-01 10:00:00 UTC [4242]: [3-1] user=app,db=billing LOG:  statement: SELECT 1",
         "%t [%p]: [%l-1] user=%u,db=%d ", 4242, "app", "billing", nil),
        // Google Cloud SQL (inside textPayload)
        ("2024-03-01 10:00:00.123 UTC [4242]: [3-1] db=billing,user=app LOG:  statement: SELECT 1",
         "%m [%p]: [%l-1] db=%d,user=%u ", 4242, "app", "billing", nil),
        // Debian / Ubuntu
        ("2024-03-01 10:00:00.123 UTC [4242] app@billing LOG:  statement: SELECT 1",
         "%m [%p] %q%u@%d ", 4242, "app", "billing", nil),
        // Azure: %t-%c-
        ("2024-03-01 10:00:00 UTC-65e1a7b0.1092-LOG:  statement: SELECT 1",
         "%t-%c-", nil, nil, nil, nil),
        // Heroku, once the logplex header is gone
        ("sql_error_code = 00000 LOG:  statement: SELECT 1",
         "sql_error_code = %e ", nil, nil, nil, nil),
    ] as [(String, String, Int?, String?, String?, String?)])
    func platformPrefixIsFound(line: String, prefix: String, pid: Int?, user: String?, db: String?, host: String?) {
        let (st, bad, p) = Self.read([line])
        #expect(bad.isEmpty)
        #expect(st.map(\.sql) == ["SELECT 1"])
        #expect(p.activePrefix == prefix)
        if let pid { #expect(st.first?.backend.pid == pid) }
        #expect(st.first?.user == user)
        #expect(st.first?.database == db)
        #expect(st.first?.client == host)
        let report = p.formatReport
        #expect(report?.prefix == prefix && report?.prefixDetected == true && report?.formatDetected == true)
        #expect(report?.description.contains("assumed log_line_prefix '\(prefix)'") == true)
    }

    /// The server's own lines fit `%m [%p] ` and Debian's `%m [%p] %q%u@%d ` alike: the report
    /// waits for a session's line, which only Debian's reads.
    @Test func reportWaitsForASessionLine() {
        let lines = ["2024-03-01 10:00:00.000 UTC [10] LOG:  database system is ready to accept connections",
                     "2024-03-01 10:00:01.000 UTC [11] LOG:  checkpoint starting: time",
                     "2024-03-01 10:00:02.000 UTC [42] app@billing LOG:  connection authorized: user=app database=billing",
                     "2024-03-01 10:00:03.000 UTC [42] app@billing LOG:  statement: SELECT 1"]
        let (st, bad, p) = Self.read(lines)
        #expect(bad.isEmpty)
        #expect(st.first?.user == "app")
        #expect(p.formatReport?.prefix == "%m [%p] %q%u@%d ")
        #expect(p.formatReport?.prefixLine == 3)
    }

    @Test func rdsTimeIsReadWithItsZone() {
        let (st, _, _) = Self.read(["2024-03-01 10:00:00 UTC:10.0.1.7(51234):app@billing:[4242]:LOG:  statement: SELECT 1"])
        #expect(st.first?.time?.rfc3339 == "2024-03-01T10:00:00.000Z")
    }

    @Test func numericZoneBeforeAColonPrefix() {
        // PostgreSQL writes a zone without an abbreviation as `+0530`; the prefix's colon after
        // it is not part of it. (`+05:30:` before `%r` would be ambiguous; the server never writes it.)
        let (st, bad, _) = Self.read(["2024-03-01 10:00:00 +0530:10.0.1.7(51234):app@billing:[4242]:LOG:  statement: SELECT 1"])
        #expect(bad.isEmpty)
        #expect(st.first?.time?.rfc3339 == "2024-03-01T04:30:00.000Z")
    }

    @Test func reportSaysThePlatform() {
        let (_, _, p) = Self.read(["2024-03-01 10:00:00 UTC:10.0.1.7(51234):app@billing:[4242]:LOG:  statement: SELECT 1"])
        let text = p.formatReport?.description ?? ""
        #expect(text == "x.log: assumed format stderr, assumed log_line_prefix '%t:%r:%u@%d:[%p]:' (AWS RDS/Aurora), first read at line 1")
    }

    @Test func nothingFitsNamesTheClosestAndTheLine() {
        let lines = (1...3).map { "2024-03-01 10:00:0\($0) UTC|4242|app LOG:  statement: SELECT \($0)" }
        var p = PostgresLogParser(format: .auto, prefix: nil, timezone: "UTC", file: "x.log")
        let sink = PostgresFormatReports()
        p.reports = sink
        var events: [Event] = []
        for (i, l) in lines.enumerated() { p.feed(line: l, lineNumber: i + 1, into: &events) }
        #expect(sink.all.isEmpty)  // not yet: a later line might still be read
        p.finish(into: &events)
        #expect(PG.unparsed(events).count == 3)
        let r = sink.all
        #expect(r.count == 1)
        #expect(r.first?.prefix == nil)
        #expect(r.first?.failedLine == 1)
        #expect(r.first?.closest == "%m ")  // reads the time, then finds no space
        #expect(r.first?.description.contains("first line that failed: 1 \"2024-03-01 10:00:01 UTC|4242|app LOG:") == true)
    }

    @Test func configuredPrefixIsNotReported() {
        var p = PostgresLogParser(format: .stderr, prefix: "%m [%p] ", timezone: "UTC", file: "x.log")
        let sink = PostgresFormatReports()
        p.reports = sink
        var events: [Event] = []
        p.feed(line: "2024-03-01 10:00:00.000 UTC [1] LOG:  statement: SELECT 1", lineNumber: 1, into: &events)
        p.finish(into: &events)
        #expect(sink.all.isEmpty)
    }

    @Test func csvlogDetectionIsReported() {
        let (_, p) = PG.parse(fixture: "pg15_phase1.csv")
        #expect(p.formatReport?.description == "pg15_phase1.csv: assumed format csvlog")
    }

    // MARK: PREPARE bodies

    @Test func pgDumpPrepareBodyIsTheStatementAfterItsOwnAS() {
        let prepare = "PREPARE getColumnACLs(pg_catalog.oid) AS\n\tSELECT at.attname, '{}' AS acldefault, at.attacl AS attacl\n\tFROM pg_catalog.pg_attribute at WHERE at.attrelid = $1"
        let body = PreparedStatementParts.body(ofPrepare: prepare)
        #expect(body == "SELECT at.attname, '{}' AS acldefault, at.attacl AS attacl\n\tFROM pg_catalog.pg_attribute at WHERE at.attrelid = $1")
        #expect(PreparedStatementParts.body(ofPrepare: "PREPARE q AS SELECT 1;") == "SELECT 1")
        #expect(PreparedStatementParts.body(ofPrepare: "PREPARE q(text) AS\nSELECT $1 AS \"as\"") == "SELECT $1 AS \"as\"")
        #expect(PreparedStatementParts.body(ofPrepare: "SELECT 1 AS x") == nil)
        #expect(PreparedStatementParts.body(ofPrepare: "PREPARE q AS SELECT 'unterminated") == nil)
    }

    @Test func pgDumpExecuteIsReadThroughItsPrepare() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7] LOG:  statement: EXECUTE getColumnACLs('16384')
        2026-11-22 13:00:00.000 UTC [7] DETAIL:  prepare: PREPARE getColumnACLs(pg_catalog.oid) AS
        \tSELECT at.attname, '{}' AS acldefault FROM pg_catalog.pg_attribute at WHERE at.attrelid = $1
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SELECT at.attname, '{}' AS acldefault FROM pg_catalog.pg_attribute at WHERE at.attrelid = $1"])
        #expect(st.first?.parameters == ["16384"])
        #expect(PG.unparsed(events).isEmpty)
    }
}
