import Foundation
import Testing
@testable import TenantWatchCore

/// The platform fixtures (`Fixtures/platforms/`, shapes and sources in its README): read with
/// format and prefix left to detection, every line is read, the same statements come out of
/// each, and detection names the platform.
@Suite struct PostgresPlatformFixtureTests {
    static let long = "SELECT " + (0..<120).map { String(format: "i.col_%03d", $0) }.joined(separator: ", ")
        + " FROM invoices i WHERE i.tenant_id = 'acme'"
    static let multi = "SELECT i.id,\n       i.total\nFROM invoices i\nWHERE i.total > 100"

    struct Case: Sendable, CustomStringConvertible {
        var file: String, format: PostgresLogParser.Format, prefix: String?, logplex: Bool, failing: Bool
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(file: "rds_postgresql.log.2024-03-01-10", format: .stderr, prefix: "%t:%r:%u@%d:[%p]:", logplex: false, failing: true),
        Case(file: "pgbadger_default.log", format: .stderr, prefix: "%t [%p]: [%l-1] user=%u,db=%d ", logplex: false, failing: true),
        Case(file: "azure_postgresql.log", format: .stderr, prefix: "%t-%c-", logplex: false, failing: true),
        Case(file: "syslog_rsyslog.log", format: .syslog, prefix: "%m [%p] %q%u@%d ", logplex: false, failing: true),
        Case(file: "syslog_rsyslog_interleaved.log", format: .syslog, prefix: "%m [%p] %q%u@%d ", logplex: false, failing: true),
        Case(file: "journald_short_iso.log", format: .syslog, prefix: "%m [%p] %q%u@%d ", logplex: false, failing: true),
        Case(file: "heroku_logplex.log", format: .syslog, prefix: "sql_error_code = %e ", logplex: true, failing: true),
        Case(file: "cloudsql_export.json", format: .cloudsql, prefix: "%m [%p]: [%l-1] db=%d,user=%u ", logplex: false, failing: true),
        Case(file: "cloudnativepg.json", format: .cnpg, prefix: nil, logplex: false, failing: true),
        Case(file: "azure_diagnostics.json", format: .azure, prefix: "%t-%c-", logplex: false, failing: true),
    ]

    static func parse(_ name: String) -> ([Event], PostgresLogParser) {
        var p = PostgresLogParser(format: .auto, prefix: nil, timezone: "UTC", file: name)
        p.reports = PostgresFormatReports()
        var events: [Event] = []
        let bytes = PG.fixture("platforms/\(name)")
        bytes.withUnsafeBufferPointer { b in
            var start = 0, n = 0
            for i in 0..<b.count where b[i] == 10 {
                n += 1
                p.feed(line: UnsafeBufferPointer(rebasing: b[start..<i]), lineNumber: n, into: &events)
                start = i + 1
            }
        }
        p.finish(into: &events)
        return (events, p)
    }

    @Test(arguments: cases)
    func everyLineIsReadAndTheSessionComesOut(c: Case) {
        let (events, p) = Self.parse(c.file)
        #expect(PG.unparsed(events).isEmpty, "\(PG.unparsed(events).prefix(3))")
        #expect(p.format == c.format)
        #expect(p.activePrefix == c.prefix)
        let r = p.formatReport
        #expect(r?.prefix == c.prefix && r?.logplex == c.logplex)
        let st = PG.statements(events)
        // In log order (a record is complete only once its backend's next one began).
        #expect(st.sorted { $0.position.line < $1.position.line }.map(\.sql) == [
            "SELECT * FROM invoices WHERE tenant_id = 'acme'",
            "SELECT name FROM customers WHERE tenant_id = $1 AND id = $2",
            Self.multi,
            "SELECT 1/0 FROM invoices WHERE tenant_id = 'acme'",
            Self.long,
        ])
        #expect(st.first { $0.sql.hasPrefix("SELECT name") }?.parameters == ["acme", "7"])
        #expect(st.allSatisfy { !$0.failed })   // the error repeats a reported statement
        #expect(p.statistics.backendEnds == 1)
        #expect(p.statistics.severities["ERROR"] == 1)
    }

    @Test func syslogChunksOfOneMessageStayTogetherAcrossAnotherProcess() {
        // pid 4243's first chunk sits between pid 4242's `[3-1]` and `[3-2]`.
        let (events, _) = Self.parse("syslog_rsyslog_interleaved.log")
        let st = PG.statements(events)
        let exec = st.first { $0.sql.hasPrefix("SELECT name") }
        #expect(exec?.backend.pid == 4242 && exec?.parameters == ["acme", "7"])
        #expect(exec?.position.line == 4)
        let m = st.first { $0.sql == Self.multi }
        #expect(m?.backend.pid == 4243)
        #expect(m?.position.line == 5 && m?.position.endLine == 9)
    }

    @Test func syslogWithoutPrefixFieldsTakesPidAndTimeFromTheHeader() {
        let lines = [
            "2024-03-01T10:00:02.500000+00:00 db1 postgres[77]: [1] LOG:  statement: SELECT 1",
            "2024-03-01T10:00:02.600000+00:00 db1 postgres[78]: [1-1] LOG:  statement: SELECT 2,",
            "2024-03-01T10:00:02.600000+00:00 db1 postgres[77]: [2] LOG:  statement: SELECT 3",
            "2024-03-01T10:00:02.600000+00:00 db1 postgres[78]: [1-2] \t3",
        ]
        var p = PostgresLogParser(format: .syslog, prefix: "", timezone: "UTC", file: "s.log")
        var events: [Event] = []
        for (i, l) in lines.enumerated() { p.feed(line: l, lineNumber: i + 1, into: &events) }
        p.finish(into: &events)
        let st = PG.statements(events)
        #expect(Set(st.map { "\($0.backend.pid):\($0.sql)" }) == ["77:SELECT 1", "78:SELECT 2,\n3", "77:SELECT 3"])
        #expect(st.first { $0.sql == "SELECT 1" }?.time?.rfc3339 == "2024-03-01T10:00:02.500Z")
        #expect(PG.unparsed(events).isEmpty)
    }

    /// Chunk after chunk of one message (hostile, or a stuck writer): what is held stays bounded
    /// and every chunk is still read.
    @Test func endlessChunksOfOneMessageAreNotHeldForever() {
        var p = PostgresLogParser(format: .syslog, prefix: "%m [%p] ", timezone: "UTC", file: "s.log")
        var events: [Event] = []
        p.feed(line: "Mar  1 10:00:00 db1 postgres[9]: [1-1] 2024-03-01 10:00:00.000 UTC [9] LOG:  statement: SELECT 1,",
               lineNumber: 1, into: &events)
        let chunks = SyslogLogReader.maximumHeldLines + 5
        for k in 2...chunks {
            p.feed(line: "Mar  1 10:00:00 db1 postgres[9]: [1-\(k)] \t\(k)", lineNumber: k, into: &events)
        }
        #expect(p.statistics.lines == chunks)
        p.finish(into: &events)
        let st = PG.statements(events)
        #expect(st.count == 1)
        // The chunks past the bound are read on their own: continuation lines of the same record.
        #expect(st.first?.sql.hasPrefix("SELECT 1,\n2\n3") == true)
        #expect(st.first?.sql.hasSuffix("\n\(chunks)") == true)
        #expect(PG.unparsed(events).isEmpty)
    }

    /// Cloud SQL splits a long pgaudit statement into `chunkCount` entries: one statement.
    @Test func cloudSQLAuditChunksMakeOneStatement() {
        func entry(_ index: Int, _ text: String) -> String {
            #"{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","request":{"@type":"type.googleapis.com/google.cloud.sql.audit.v1.PgAuditEntry","auditClass":"READ","auditType":"SESSION","chunkCount":2,"chunkIndex":\#(index),"command":"SELECT","database":"billing","databaseSessionId":77,"parameter":"<none>","statement":"\#(text)","statementId":3,"substatementId":1,"user":"app"}},"timestamp":"2024-03-01T10:00:0\#(index).000Z"}"#
        }
        var p = PostgresLogParser(format: .cloudsql, prefix: nil, timezone: "UTC", file: "c.json")
        var events: [Event] = []
        p.feed(line: entry(1, "SELECT * FROM invoices "), lineNumber: 1, into: &events)
        p.feed(line: entry(2, "WHERE total > 100"), lineNumber: 2, into: &events)
        p.finish(into: &events)
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SELECT * FROM invoices WHERE total > 100"])
        #expect(st.first?.backend.pid == 77 && st.first?.user == "app")
        #expect(PG.unparsed(events).isEmpty)
    }

    @Test func foreignSyslogLinesAreCountedNotRead() {
        let lines = ["Mar  1 10:00:00 db1 postgres[1]: [1] 2024-03-01 10:00:00.000 UTC [1] LOG:  statement: SELECT 1",
                     "this is not a syslog line"]
        var p = PostgresLogParser(format: .syslog, prefix: "%m [%p] ", timezone: "UTC", file: "s.log")
        var events: [Event] = []
        for (i, l) in lines.enumerated() { p.feed(line: l, lineNumber: i + 1, into: &events) }
        p.finish(into: &events)
        #expect(PG.unparsed(events).map(\.position.line) == [2])
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1"])
    }

    /// `live`: each fixture written to a followed file a few lines at a time, through the live
    /// cursor with the parser the commands make (format auto): the statements of a whole-file read.
    @Test(arguments: cases)
    func growingFileGivesTheSameStatements(c: Case) {
        let dir = FollowTempDir()
        let path = dir.file("growing.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        let cursor = LiveSourceCursor(follower: follower, idleFlushSeconds: 0.2) { file in
            PostgresLogParser(format: .auto, prefix: nil, timezone: "UTC", file: file)
        }
        let text = String(decoding: PG.fixture("platforms/\(c.file)"), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var events: [Event] = []
        var written = 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if written < lines.count {
                let next = min(lines.count, written + 3)
                writer.write(lines[written..<next].joined(separator: "\n") + "\n")
                written = next
            }
            events += cursor.poll()
            if written == lines.count, PG.statements(events).count >= 5 { break }
            follower.wait(timeout: 0.05)
        }
        let (whole, _) = Self.parse(c.file)
        #expect(PG.unparsed(events).isEmpty)
        #expect(Set(PG.statements(events).map(\.sql)) == Set(PG.statements(whole).map(\.sql)))
        #expect(PG.statements(events).count == PG.statements(whole).count)
    }

    @Test func gzippedRDSLogReadsLikeThePlainOne() throws {
        let url = Bundle.module.url(forResource: "Fixtures/platforms/rds_postgresql.log.2024-03-01-10.gz", withExtension: nil)!
        let source = try ByteSources.open(path: url.path)
        var reader = LineReader(source: source)
        var p = PostgresLogParser(format: .auto, prefix: nil, timezone: "UTC", file: "rds.gz")
        p.reports = PostgresFormatReports()
        var events: [Event] = []
        while let line = try reader.nextLine() { p.feed(line: line.bytes, lineNumber: line.number, into: &events) }
        p.finish(into: &events)
        reader.close()
        let (plain, _) = Self.parse("rds_postgresql.log.2024-03-01-10")
        #expect(PG.unparsed(events).isEmpty)
        #expect(PG.statements(events).map(\.sql) == PG.statements(plain).map(\.sql))
        #expect(PG.statements(events).count == 5)
    }
}
