import Testing
@testable import TenantWatchCore

@Suite struct PostgresCSVAndJSONTests {
    static let pg15Row = #"2026-11-22 14:11:10.742 CET,"postgres","shop",12807,"127.0.0.1:45290",6b02e9ee.3207,3,"idle",2026-11-22 14:11:10 CET,3/2,0,LOG,00000,"statement: SELECT 1",,,,,,,,,"psql","client backend",,42"#

    @Test func csvUnclosedQuoteAtEndIsUnparsedWithItsRange() {
        let text = Self.pg15Row + "\n" + #"2026-11-22 14:11:10.743 CET,"postgres","shop",12807,"127.0.0.1:45290",6b02e9ee.3207,4,"idle",2026-11-22 14:11:10 CET,3/2,0,LOG,00000,"statement: SELECT 'never"# + "\nclosed\nat all"
        let (events, p) = PG.parse(text: text, timezone: "Europe/Berlin")
        #expect(p.format == .csvlog)
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1"])
        let u = PG.unparsed(events)
        #expect(u.count == 1)
        #expect(u.first?.position == SourcePosition(file: "test.log", line: 2, endLine: 4))
        #expect(u.first?.reason.contains("unclosed quote") == true)
    }

    @Test func csvOversizedRecordIsSkippedAndReadingContinues() {
        var reader = CSVLogReader(timezone: "UTC", file: "big.csv")
        reader.maxRecordBytes = 200
        var out = PostgresReaderSink()
        let lines = [#"2026-11-22 14:11:10.742 UTC,"u","d",1,"h:1",a.b,1,"idle",2026-11-22 14:11:10 UTC,3/2,0,LOG,00000,"statement: SELECT '"#]
            + Array(repeating: String(repeating: "x", count: 80), count: 5)
            + [#"',NULL",,,,,,,,,"app","client backend",,0"#, Self.pg15Row]
        for (i, l) in lines.enumerated() { var s = l; s.withUTF8 { reader.feed($0, lineNumber: i + 1, into: &out) } }
        reader.finish(into: &out)
        var recs: [PostgresLogRecord] = [], bad: [UnparsedLine] = []
        for o in out.outputs { switch o { case .record(let r): recs.append(r); case .unparsed(let u): bad.append(u) } }
        #expect(bad.count == 1)
        #expect(bad.first?.position.line == 1)
        // The oversized record's head is kept, marked cut (an `unjudged_statement` later), and
        // the record after it is read as usual.
        #expect(recs.count == 2)
        #expect(recs.first?.textCut == true)
        #expect(recs.first?.message.hasPrefix("statement: SELECT '\nxxxx") == true)
        #expect(recs.first?.position == SourcePosition(file: "big.csv", line: 1, endLine: 3))
        #expect(recs.last?.message == "statement: SELECT 1")
        #expect(recs.last?.position.line == 8)
    }

    @Test func csvColumnSetsOfOlderServers() {
        // PostgreSQL 13: 24 columns (no leader_pid, query_id); 12: 23 (no backend_type).
        let pg13 = #"2026-11-22 14:11:10.742 UTC,"bob","shop",77,"10.0.0.1:5000",6b02e9ee.3207,3,"idle",2026-11-22 14:11:10 UTC,3/2,0,LOG,00000,"statement: SELECT 13",,,,,,,,,"app13","client backend""#
        let pg12 = #"2026-11-22 14:11:10.742 UTC,"bob","shop",78,"10.0.0.1:5000",6b02e9ee.3208,3,"idle",2026-11-22 14:11:10 UTC,3/2,0,LOG,00000,"statement: SELECT 12",,,,,,,,,"app12""#
        let (events, _) = PG.parse(text: pg13 + "\n" + pg12)
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SELECT 13", "SELECT 12"])
        #expect(st.map(\.application) == ["app13", "app12"])
        #expect(st.map(\.client) == ["10.0.0.1", "10.0.0.1"])
        #expect(st.map(\.backend) == [BackendID(pid: 77, sessionID: "6b02e9ee.3207"), BackendID(pid: 78, sessionID: "6b02e9ee.3208")])
        let (bad, _) = PG.parse(text: Self.pg15Row + "\n2026-11-22 14:11:10.742 UTC,only,five,columns,here", format: .csvlog)
        #expect(PG.unparsed(bad).first?.reason.contains("columns") == true)
        #expect(PG.unparsed(bad).first?.position.line == 2)
    }

    @Test func csvRecordFields() {
        var reader = CSVLogReader(timezone: "Europe/Berlin", file: "x.csv")
        var out = PostgresReaderSink()
        var s = Self.pg15Row
        s.withUTF8 { reader.feed($0, lineNumber: 1, into: &out) }
        guard case .record(let r)? = out.outputs.first else { Issue.record("no record"); return }
        #expect(r.time?.rfc3339 == "2026-11-22T13:11:10.742Z")
        #expect(r.user == "postgres" && r.database == "shop" && r.pid == 12807)
        #expect(r.sessionLine == 3 && r.sqlstate == "00000" && r.backendType == "client backend" && r.queryID == 42)
    }

    @Test func jsonlogEscapesAbsentKeysAndSignedQueryID() {
        let line = #"{"timestamp":"2026-11-22 14:12:07.450 CET","user":"app_user","pid":13112,"session_id":"6b02ea27.3338","line_num":6,"error_severity":"LOG","message":"execute <unnamed>: SELECT $1 /* \u00e9\ud83d\ude00 */","detail":"parameters: $1 = 'multi\n\tline \"q\" \\'","application_name":"orders-api","backend_type":"client backend","query_id":-9223372036854775808}"#
        var reader = JSONLogReader(timezone: "Europe/Berlin", file: "x.json")
        var out = PostgresReaderSink()
        var s = line
        s.withUTF8 { reader.feed($0, lineNumber: 9, into: &out) }
        guard case .record(let r)? = out.outputs.first else { Issue.record("no record"); return }
        #expect(r.message == "execute <unnamed>: SELECT $1 /* é😀 */")
        #expect(r.detail == "parameters: $1 = 'multi\n\tline \"q\" \\'")
        #expect(r.database == nil)
        #expect(r.clientHost == nil)
        #expect(r.sqlstate == "00000")
        #expect(r.queryID == Int64.min)
        #expect(r.sessionLine == 6)
        #expect(r.position.line == 9)
        let (events, _) = PG.parse(text: line)
        #expect(PG.statements(events).first?.parameters == ["multi\n\tline \"q\" \\"])
    }

    @Test func jsonlogBrokenLinesAreUnparsed() {
        let good = #"{"timestamp":"2026-11-22 13:00:00.000 UTC","pid":1,"error_severity":"LOG","message":"statement: SELECT 1"}"#
        let (events, p) = PG.parse(text: [good, #"{"timestamp":"2026-11-22 13:00:00.000 UTC","pid":1,"#, #"{"nested":{"a":1}}"#, good].joined(separator: "\n"))
        #expect(p.format == .jsonlog)
        #expect(PG.statements(events).count == 2)
        #expect(PG.unparsed(events).map(\.position.line) == [2, 3])
    }

    @Test func formatDetection() {
        func detect(_ s: String) -> PostgresLogParser.Format? {
            var t = s
            return t.withUTF8 { PostgresFormatDetector.detect($0) }
        }
        #expect(detect(#"{"timestamp":"2026-11-22 14:11:04.170 CET","pid":1}"#) == .jsonlog)
        #expect(detect(Self.pg15Row) == .csvlog)
        #expect(detect(#"2026-11-22 14:11:10.742 CET,"postgres","shop",12807,"127.0.0.1:45290",6b02e9ee.3207,3,"idle",2026-11-22 14:11:10 CET,3/2,0,LOG,00000,"statement: SELECT 'multi"#) == .csvlog)
        #expect(detect("2026-11-22 14:11:04.170 CET [12780] LOG:  starting") == .stderr)
        #expect(detect("\tcontinuation") == .stderr)
        #expect(detect("") == nil)
    }
}

@Suite struct PostgresMessageParserTests {
    @Test func bindParameters() {
        #expect(BindParameterParser.parse("$1 = '2', $2 = 'O''Brien', $3 = NULL") == ["2", "O'Brien", nil])
        #expect(BindParameterParser.parse("$1 = 'a, $2 = ''b''', $2 = 'c'") == ["a, $2 = 'b'", "c"])
        #expect(BindParameterParser.parse("$1 = 'x\ny\tz'") == ["x\ny\tz"])
        #expect(BindParameterParser.parse("$1 = 'abcdefghij...'") == ["abcdefghij..."])
        #expect(BindParameterParser.parse("$1 = ''") == [""])
        #expect(BindParameterParser.parse("$1 = 'unclosed") == nil)
        #expect(BindParameterParser.parse("$2 = '1'") == nil)
        #expect(BindParameterParser.fromField("unnamed portal with parameters: $1 = '0'") == ["0"])
        #expect(BindParameterParser.fromField("prepare: PREPARE q AS SELECT 1") == nil)
    }

    @Test func pgauditMessages() {
        let a = PgAuditMessageParser.parse(#"SESSION,3,1,WRITE,INSERT,TABLE,public.orders,"INSERT INTO t VALUES ($1, $2)","3,""multi"#)
        #expect(a.map(\.statement) == nil)  // broken quoting
        let b = PgAuditMessageParser.parse(#"SESSION,2,1,WRITE,UPDATE,TABLE,public.orders,UPDATE orders SET note = $1 WHERE tenant_id = $2,",1",2"#)
        #expect(b?.parameters == [nil, "1"])
        #expect(b?.rows == 2)
        #expect(b?.statementID == 2 && b?.substatementID == 1 && b?.auditClass == "WRITE")
        let c = PgAuditMessageParser.parse("SESSION,1,1,READ,SELECT,,,SELECT 1,<not logged>")
        #expect(c != nil && c?.parameters == nil && c?.rows == nil && c?.objectType == nil && c?.objectName == nil)
        let d = PgAuditMessageParser.parse("SESSION,1,1,READ,SELECT,,,SELECT 1,<none>,1")
        #expect(d?.parameters == [] && d?.rows == 1)
    }

    @Test func executeArgumentLiterals() {
        #expect(PreparedStatementParts.arguments(ofExecute: "EXECUTE q(2, 'a''b', NULL, true, -1.5, 0)") == ["2", "a'b", nil, "true", "-1.5", "0"])
        #expect(PreparedStatementParts.arguments(ofExecute: "EXECUTE q(now())") == nil)
        #expect(PreparedStatementParts.arguments(ofExecute: "EXECUTE q") == [])
        var interpreter = PostgresEventInterpreter()
        #expect(interpreter.preparedBody(prepare: "PREPARE q(int, text) AS SELECT $1, $2", execute: "EXECUTE q(1, 'x')")?.0 == "SELECT $1, $2")
    }

    @Test func executeKeepsItsOwnRequestTag() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7] LOG:  statement: EXECUTE inv('globex', 45) /*request_id='r-c'*/
        2026-11-22 13:00:00.000 UTC [7] DETAIL:  prepare: PREPARE inv(text, int) AS SELECT * FROM invoices WHERE tenant_id = $1 AND id = $2
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        let statements = events.compactMap { if case .statement(let s) = $0 { return s } else { return nil } }
        #expect(statements.count == 1)
        #expect(statements.first?.parameters == ["globex", "45"])
        #expect(SQLCommenter.tags(in: statements.first?.sql ?? "").requestID == "r-c")
    }

    @Test func stderrLineWithMalformedAuditIsUnparsedNotLost() {
        let (events, p) = PG.parse(text: "2026-11-22 13:00:00.000 UTC [1] LOG:  AUDIT: SESSION,x,1", prefix: "%m [%p] ")
        #expect(PG.unparsed(events).count == 1)
        #expect(p.statistics.unparsed == 1)
        #expect(p.statistics.records == 1)
    }
}

