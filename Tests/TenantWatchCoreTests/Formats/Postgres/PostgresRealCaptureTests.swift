import Foundation
import Testing
@testable import TenantWatchCore

/// Logs from real servers, unedited: the PG15 captures and the public ones in
/// `Fixtures/platforms/*_capture.log` (sources in its README). Every line is read, and the count
/// pgBadger would show (`PgBadgerQueryCount`) is the same whichever format the session was
/// logged in. `Tests/EndToEnd/platform_formats.sh` runs pgBadger itself on the same files.
@Suite struct PostgresRealCaptureTests {
    @Test(arguments: [
        ("statement: SELECT 1", true),
        ("query: SELECT 1", true),
        ("execute <unnamed>: SELECT $1", true),
        ("execute fetch from S_1/C_2: SELECT 1", true),
        ("duration: 1278.620 ms", true),
        ("duration: 0.113 ms  statement: SELECT 42", true),
        ("duration: 0.006 ms  execute <unnamed>: SELECT $1", true),
        ("duration: 4.1 ms  plan:\n\tQuery Text: SELECT 1", true),
        ("duration: 0.609 ms  parse <unnamed>: SELECT $1", false),
        ("duration: 0.176 ms  bind S_1: SELECT $1", false),
        ("AUDIT: SESSION,1,1,READ,SELECT,,,SELECT 1,<none>", false),
        ("connection authorized: user=app database=shop", false),
        ("checkpoint starting: time", false),
        ("duration: ", false),
    ])
    func pgBadgerCountsTheseLogMessagesAsQueries(message: String, counted: Bool) {
        #expect(PgBadgerQueryCount.counts(logMessage: message) == counted)
    }

    /// One session logged three ways: the stderr reader keeps bare `duration:` lines without
    /// their text (lean records), and must still count them as pgBadger does the csvlog's.
    @Test func theThreeFormatsOfOneSessionGiveOnePgBadgerCount() {
        let (_, stderr) = PG.parse(fixture: "pg15_phase1_stderr.log")
        let (_, csv) = PG.parse(fixture: "pg15_phase1.csv")
        let (_, json) = PG.parse(fixture: "pg15_phase1.json")
        #expect(stderr.statistics.pgBadgerQueries == csv.statistics.pgBadgerQueries)
        #expect(json.statistics.pgBadgerQueries == csv.statistics.pgBadgerQueries)
        #expect(stderr.statistics.statements == csv.statistics.statements)
        // log_statement and log_min_duration_statement both on: each closing `duration:` line is
        // a pgBadger query too, so pgBadger's count is above the executions read.
        let text = String(decoding: PG.fixture("pg15_phase1.csv"), as: UTF8.self)
        let bareDurations = text.split(separator: "\n").filter { $0.contains(",LOG,00000,\"duration: ") && $0.contains(" ms\",") }.count
        #expect(bareDurations > 0)
        #expect(csv.statistics.pgBadgerQueries > csv.statistics.statements)
    }

    /// pgweasel's pgbench capture (Debian's prefix, `EEST`): `log_statement = 'all'` with
    /// `log_min_duration_statement`, so slow statements are closed by a bare `duration:` line.
    @Test func debianPgbenchCaptureIsReadWhole() {
        let (events, p) = PG.parse(fixture: "platforms/debian_pgbench_capture.log", timezone: "Europe/Tallinn")
        #expect(PG.unparsed(events).isEmpty, "\(PG.unparsed(events).prefix(3))")
        #expect(p.activePrefix == "%m [%p] %q%u@%d ")
        let st = PG.statements(events)
        #expect(st.first?.sql == "select xxxx ;" && st.first?.failed == true)
        // PostgreSQL put the TAB before each continuation line; the statement is without it.
        #expect(st.last?.sql == "select dadasdas\ndasda\nadsdas;" && st.last?.failed == true)
        #expect(st.filter { $0.sql.hasPrefix("UPDATE pgbench_accounts") }.count == 2)
        #expect(st.allSatisfy { $0.time != nil })
    }

    /// A real Cloud SQL (PostgreSQL 17) log as pgweasel keeps it: Cloud SQL's prefix with the
    /// client host, and the lines after the first of a message without PostgreSQL's TAB.
    @Test func cloudSQLCaptureIsReadWhole() {
        let (events, p) = PG.parse(fixture: "platforms/cloudsql_server_capture.log", timezone: "UTC")
        #expect(PG.unparsed(events).isEmpty, "\(PG.unparsed(events).prefix(3))")
        #expect(p.activePrefix == "%m [%p]: [%l-1] db=%d,user=%u,host=%h ")
        #expect(p.formatReport?.description.contains("(Google Cloud SQL)") == true)
        let st = PG.statements(events)
        let failed = st.first { $0.failed }
        #expect(failed?.sql == "INSERT INTO public.heartbeat(id, master_time)\n    VALUES (1, now() at time zone 'utc')\n    ON CONFLICT (id) DO UPDATE SET master_time = (now() at time zone 'utc');")
        #expect(failed?.user == "cloudsqladmin" && failed?.client == "127.0.0.1")
        #expect(st.last?.sql.hasPrefix("WITH oldest_frozen_transaction AS (\n       \t\t\tSELECT") == true)
        #expect(st.last?.sql.hasSuffix("FROM oldest_frozen_transaction o, current_transaction c") == true)
        #expect(p.statistics.recordLikeContinuations == 0)
    }

    /// Elsewhere a line no prefix reads after a record is foreign, not a lost-TAB continuation.
    @Test func onlyCloudSQLContinuationsGoWithoutTheirTab() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7]: [1-1] db=shop,user=bob,host=10.0.0.1 LOG:  statement: SELECT 1
            garbage that is no log line
        2026-11-22 13:00:01.000 UTC [7] LOG:  statement: SELECT 2
            also garbage
        """
        let (events, _) = PG.parse(text: text)
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1\n    garbage that is no log line", "SELECT 2"])
        #expect(PG.unparsed(events).map(\.position.line) == [4])
    }

    /// Shapes seen in CloudNativePG users' pasted pod logs (cloudnative-pg issue 5767, FerretDB
    /// issue 4765; written here in those shapes, not copied): before the logging collector
    /// starts, PostgreSQL's own stderr lines arrive as `"msg"` text with `"pipe":"stderr"`;
    /// newer instance managers leave empty csvlog fields out of `record` and add `query_id`.
    @Test func cloudNativePGPipeLinesAndOmittedFields() {
        let text = #"""
        {"level":"info","ts":"2026-01-10T09:00:00.100000000Z","logger":"postgres","msg":"2026-01-10 09:00:00.100 UTC [23] LOG:  redirecting log output to logging collector process","pipe":"stderr","logging_pod":"app-db-1"}
        {"level":"info","ts":"2026-01-10T09:00:00.100100000Z","logger":"postgres","msg":"2026-01-10 09:00:00.100 UTC [23] HINT:  Future log output will appear in directory \"/controller/log\".","pipe":"stderr","logging_pod":"app-db-1"}
        {"level":"info","ts":"2026-01-10T09:00:00.101000000Z","logger":"postgres","msg":"record","logging_pod":"app-db-1","record":{"log_time":"2026-01-10 09:00:00.101 UTC","process_id":"23","session_id":"6781e1a0.17","session_line_num":"1","session_start_time":"2026-01-10 09:00:00 UTC","transaction_id":"0","error_severity":"LOG","sql_state_code":"00000","message":"ending log output to stderr","hint":"Future log output will go to log destination \"csvlog\".","backend_type":"postmaster","query_id":"0"}}
        {"level":"info","ts":"2026-01-10T09:00:05.000000000Z","logger":"postgres","msg":"record","logging_pod":"app-db-1","record":{"log_time":"2026-01-10 09:00:05.000 UTC","user_name":"app","database_name":"app","process_id":"88","connection_from":"10.0.0.5:50000","session_id":"6781e1a5.58","session_line_num":"3","command_tag":"SELECT","session_start_time":"2026-01-10 09:00:04 UTC","virtual_transaction_id":"3/12","transaction_id":"0","error_severity":"LOG","sql_state_code":"00000","message":"statement: SELECT * FROM invoices WHERE tenant_id = 'acme'","application_name":"api","backend_type":"client backend","query_id":"0"}}
        {"level":"info","ts":"2026-01-10T09:00:05.001000000Z","logger":"postgres","msg":"record","logging_pod":"app-db-1","record":{"log_time":"2026-01-10 09:00:05.001 UTC","user_name":"app","database_name":"app","process_id":"88","connection_from":"10.0.0.5:50000","session_id":"6781e1a5.58","session_line_num":"4","command_tag":"SELECT","session_start_time":"2026-01-10 09:00:04 UTC","virtual_transaction_id":"3/0","transaction_id":"0","error_severity":"LOG","sql_state_code":"00000","message":"duration: 0.512 ms","application_name":"api","backend_type":"client backend","query_id":"0"}}
        """#
        let (events, p) = PG.parse(text: text)
        #expect(p.format == .cnpg)
        #expect(PG.unparsed(events).isEmpty, "\(PG.unparsed(events).prefix(3))")
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SELECT * FROM invoices WHERE tenant_id = 'acme'"])
        #expect(st.first?.user == "app" && st.first?.application == "api" && st.first?.client == "10.0.0.5")
        // The bare `duration:` record is a pgBadger query, kept lean (no text) all the same.
        #expect(p.statistics.pgBadgerQueries == 2)
    }

    /// The in-place CloudNativePG path takes the line's end as the record's when `record` is the
    /// last member; when it is not, the record is still found where it ends.
    @Test func cloudNativePGRecordNotLastIsReadToo() {
        let last = #"{"level":"info","ts":"2026-01-10T09:00:05Z","logger":"postgres","msg":"record","record":{"log_time":"2026-01-10 09:00:05.000 UTC","process_id":"88","error_severity":"LOG","message":"statement: SELECT '}}' AS x"}}"#
        let notLast = #"{"level":"info","ts":"2026-01-10T09:00:06Z","logger":"postgres","msg":"record","record":{"log_time":"2026-01-10 09:00:06.000 UTC","process_id":"88","error_severity":"LOG","message":"statement: SELECT 2"},"logging_pod":{"name":"db-1"}}"#
        let (events, _) = PG.parse(text: last + "\n" + notLast, format: .cnpg)
        #expect(PG.unparsed(events).isEmpty, "\(PG.unparsed(events))")
        #expect(PG.statements(events).map(\.sql) == ["SELECT '}}' AS x", "SELECT 2"])
    }
}
