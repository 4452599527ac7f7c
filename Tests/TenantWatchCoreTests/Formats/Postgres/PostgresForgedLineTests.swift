import Testing
@testable import TenantWatchCore

/// Log lines a client forges (issue 15): a log record written inside a multi-line literal, and an
/// `application_name` that plants a fake prefix. `pg15_forged_lines.*` are one real PostgreSQL 15
/// server's three logs of the same session (prefix `%m [%p] %q%u@%d/%a sess=%c `, UTC):
/// backend 15696 writes two literals holding a complete log line (one framing
/// `SELECT * FROM invoices WHERE true`, one cutting a real unscoped read short); backend 15698
/// sets `application_name = 'psql sess=aa.1 LOG:  statement: SELECT 1 --'` and reads every
/// invoice; backend 15700 sets `'... statement: SELECT * FROM invoices --'` (framing) and runs a
/// scoped read.
@Suite struct PostgresForgedLineTests {
    static let prefix = "%m [%p] %q%u@%d/%a sess=%c "

    static func statements(_ format: String) -> ([StatementExecution], PostgresLogParser) {
        let (events, p) = PG.parse(fixture: "pg15_forged_lines.\(format)", prefix: prefix, timezone: "UTC")
        return (PG.statements(events).filter { $0.sql.contains("invoices") && !$0.sql.hasPrefix("create") && !$0.sql.hasPrefix("SET") }, p)
    }

    @Test func aRecordInsideAContinuationLineStaysTheStatementsText() {
        let (st, p) = Self.statements("log")
        let byPid = Dictionary(grouping: st, by: \.backend.pid)
        let mine = byPid[15696] ?? []
        #expect(mine.count == 2)
        #expect(mine.allSatisfy { $0.sql.contains("\n2026-11-22 13:00:00.000 UTC [4242]") })
        #expect(mine.allSatisfy { $0.recordLikeContinuationLine != nil })
        #expect(mine.map(\.recordLikeContinuationLine) == [9, 11])
        #expect(byPid[4242] == nil)
        #expect(p.statistics.recordLikeContinuations == 2)
        #expect(p.statistics.recordsSplitInsideLines == 0)
    }

    @Test func theThreeFormatsReadTheSameStatements() {
        let texts = ["log", "csv", "json"].map { f in Self.statements(f).0.map { "\($0.backend.pid) \($0.sql)" } }
        #expect(texts[0].count == 4)
        #expect(texts[0] == texts[1])
        #expect(texts[1] == texts[2])
    }

    @Test func aForgedApplicationNameDoesNotHideTheRealStatement() {
        let (st, _) = Self.statements("log")
        let hider = st.filter { $0.backend.pid == 15698 }
        #expect(hider.map(\.sql) == ["SELECT * FROM invoices"])
        #expect(hider.first?.application == "psql sess=aa.1 LOG:  statement: SELECT 1 --")
        #expect(hider.first?.applicationNameLooksForged == true)
        // The SET was logged: the reader knows the name, so the reading is certain.
        #expect(hider.first?.prefixAmbiguous == false)
    }

    @Test func aForgedApplicationNameDoesNotFrameAHarmlessStatement() {
        let (st, _) = Self.statements("log")
        let framer = st.filter { $0.backend.pid == 15700 }
        #expect(framer.map(\.sql) == ["SELECT 1 FROM invoices WHERE tenant_id = 'acme'"])
        #expect(framer.first?.applicationNameLooksForged == true)
    }
}

/// The pieces the stderr reader decides with.
@Suite struct ForgedLineRulesTests {
    @Test func sessionIdNamesItsPid() {
        for (text, pid, ok) in [("6b14c071.3d52", 15698, true), ("aa.1", 15698, false), ("6b14c071.3D52", 15698, true),
                                ("6b14c071.", 0, false), ("x.3d52", 15698, true)] {
            var t = text
            let r = t.withUTF8 { StderrLogReader.sessionNamesPid($0, 0, $0.count, pid) }
            #expect(r == ok, "\(text) \(pid)")
        }
    }

    @Test func applicationNameChangesAreReadFromTheParseTree() {
        #expect(ApplicationNameChange.read("SET application_name = 'psql sess=aa.1 LOG:  x'") == .set("psql sess=aa.1 LOG:  x"))
        #expect(ApplicationNameChange.read("set Application_Name to \"billing\"") == .set("billing"))
        #expect(ApplicationNameChange.read("RESET application_name") == .reset)
        #expect(ApplicationNameChange.read("SET application_name TO DEFAULT") == .reset)
        #expect(ApplicationNameChange.read("SET LOCAL application_name = 'x'") == nil)
        #expect(ApplicationNameChange.read("SELECT 'SET application_name = x'") == nil)
        #expect(ApplicationNameChange.asLogged("caf\u{e9}") == Array("caf??".utf8))
    }

    /// Without a logged SET (the name changed through set_config), the two readings are equally
    /// good: the kept one is labelled a guess, and the attempt is still reported.
    @Test func anUnsettledReadingIsLabelled() {
        let prefix = "%m [%p] %q%u@%d/%a "
        let app = "psql LOG:  statement: SELECT 1 --"
        let lines = [
            "2026-11-22 13:00:00.000 UTC [77] app@db/psql LOG:  statement: SELECT set_config('application_name', '\(app)', false)",
            "2026-11-22 13:00:01.000 UTC [77] app@db/\(app) LOG:  statement: SELECT * FROM invoices",
        ]
        let (events, _) = PG.parse(text: lines.joined(separator: "\n"), prefix: prefix)
        let st = PG.statements(events)
        #expect(st.count == 2)
        #expect(st[1].prefixAmbiguous)
        #expect(st[1].applicationNameLooksForged)
        let f = LogForgeryDetector().inspect(analyzed(st[1].sql, verdict: .unscoped).withExecution(st[1]))
        #expect(f.first?.message.contains("psql LOG: statement: SELECT 1 --") == true)
        // The kept reading is the longer name's: the statement is the real one.
        #expect(st[1].sql == "SELECT * FROM invoices")
        let m = MissingTenantPredicateDetector().inspect(analyzed(st[1].sql, verdict: .unscoped).withExecution(st[1]))
        #expect(m.first?.message.contains("log line ambiguous") == true)
    }

    /// A line over the cap: its statement is kept, marked cut; the continuation lines after it are
    /// never searched for records (they are the cut statement's client text).
    @Test func aCutLineKeepsItsStatementAndItsContinuationsForgeNothing() {
        var p = PostgresLogParser(format: .stderr, prefix: "%m [%p] ", file: "t.log")
        var events: [Event] = []
        let head = Array("2026-11-25 00:54:05.100 UTC [1] LOG:  statement: SELECT * FROM invoices WHERE 'x' = 'AAAA".utf8)
        head.withUnsafeBufferPointer { p.lineCut(head: $0, lineNumber: 1, into: &events) }
        p.feed(line: "\t2026-11-25 00:54:05.200 UTC [9] LOG:  statement: SELECT * FROM invoices WHERE true", lineNumber: 2, into: &events)
        p.feed(line: "2026-11-25 00:54:05.300 UTC [2] LOG:  statement: SELECT 2", lineNumber: 3, into: &events)
        p.finish(into: &events)
        let st = PG.statements(events)
        #expect(st.map(\.backend.pid) == [1, 2])
        #expect(st.first?.textCut == true)
        #expect(st.last?.textCut == false)
        #expect(PG.unparsed(events).map(\.position.line) == [2])
    }
}

extension AnalyzedStatement {
    func withExecution(_ e: StatementExecution) -> AnalyzedStatement {
        var copy = self
        copy.execution = e
        return copy
    }
}

/// csvlog records that cannot be read whole keep their statement's head, marked cut.
@Suite struct CSVCutRecordTests {
    static let head = "2026-11-25 00:54:05.100 UTC,\"app\",\"db\",31,\"[local]\",6b06.1f,1,\"idle\",2026-11-25 00:54:05 UTC,3/7,0,LOG,00000,"

    @Test func aRecordOverTheSizeLimitKeepsItsStatementHead() {
        var p = PostgresLogParser(format: .csvlog, file: "t.csv")
        var events: [Event] = []
        p.feed(line: Self.head + "\"statement: SELECT * FROM invoices WHERE note <> '", lineNumber: 1, into: &events)
        p.feed(line: String(repeating: "A", count: LineReader.defaultMaximumLineLength), lineNumber: 2, into: &events)
        p.feed(line: "'\",,,,,,,,,\"psql\",\"client backend\",,0", lineNumber: 3, into: &events)
        p.feed(line: PostgresHostileInputTests.csv("SELECT 2", pid: 2), lineNumber: 4, into: &events)
        p.finish(into: &events)
        let st = PG.statements(events)
        #expect(st.map(\.backend.pid) == [31, 2])
        #expect(st.first?.textCut == true)
        #expect(st.first?.sql.hasPrefix("SELECT * FROM invoices WHERE note <> '\nAAAA") == true)
        #expect(st.first?.position == SourcePosition(file: "t.csv", line: 1, endLine: 2))
        #expect(!PG.unparsed(events).isEmpty)
    }

    @Test func aCutLineKeepsItsStatementHead() {
        var p = PostgresLogParser(format: .csvlog, file: "t.csv")
        var events: [Event] = []
        let cut = Array((Self.head + "\"statement: SELECT * FROM invoices WHERE note <> 'AAAA").utf8)
        cut.withUnsafeBufferPointer { p.lineCut(head: $0, lineNumber: 1, into: &events) }
        p.feed(line: PostgresHostileInputTests.csv("SELECT 2", pid: 2), lineNumber: 2, into: &events)
        p.finish(into: &events)
        let st = PG.statements(events)
        #expect(st.map(\.backend.pid) == [31, 2])
        #expect(st.first?.textCut == true)
    }
}

/// jsonlog: a line cut at the line limit keeps its statement's head, marked cut.
@Suite struct JSONCutLineTests {
    static let head = #"{"timestamp":"2026-11-25 00:54:05.100 UTC","user":"app","dbname":"db","pid":31,"remote_host":"[local]","session_id":"6b06.1f","line_num":1,"ps":"idle","session_start":"2026-11-25 00:54:05 UTC","vxid":"3/7","txid":0,"error_severity":"LOG","message":"statement: SELECT * FROM invoices WHERE note <> 'A"#

    @Test func aCutLineKeepsItsStatementHead() {
        for tail in ["AAAA", "AAAA\\", "AAAA\\u00", "AAAA\\n", "AAAA\\\""] {
            var p = PostgresLogParser(format: .jsonlog, file: "t.json")
            var events: [Event] = []
            let cut = Array((Self.head + tail).utf8)
            cut.withUnsafeBufferPointer { p.lineCut(head: $0, lineNumber: 1, into: &events) }
            p.finish(into: &events)
            let st = PG.statements(events)
            #expect(st.count == 1, "\(tail)")
            #expect(st.first?.textCut == true)
            #expect(st.first?.sql.hasPrefix("SELECT * FROM invoices WHERE note <> 'AAAAA") == true, "\(tail)")
        }
    }
}

@Suite struct SeverityMarkerTests {
    @Test func aSecondSeverityMarkerInTheMessageIsSeen() {
        for (text, want) in [("statement: SELECT 1 -- sess=a.1 LOG:  statement: SELECT 2", true),
                             ("statement: SELECT 'x ERROR:  y'", true),
                             ("statement: SELECT 'LOG:  at the start of a word run'", false),
                             ("statement: SELECT 'xLOG:  y'", false),
                             ("statement: SELECT 'LOG: one space'", false),
                             ("statement: SELECT 'NOTALEVEL:  x'", false)] {
            var t = text
            let got = t.withUTF8 { StderrLogReader.severityMarker($0, 0, $0.count) }
            #expect(got == want, "\(text)")
        }
    }
}
