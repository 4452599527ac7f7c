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
