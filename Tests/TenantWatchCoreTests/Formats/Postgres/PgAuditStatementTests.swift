import Foundation
import Testing
@testable import TenantWatchCore

/// pgaudit's AUDIT lines as statement executions: alone (`log_statement = 'none'`) they must give
/// what `log_statement` gives; beside it they must not count an execution twice.
@Suite struct PgAuditStatementTests {
    /// The real phase-2 jsonlog (log_statement = all + pgaudit) with every `log_statement` and
    /// `duration` record taken out: what the same session logs with pgaudit alone.
    static func pgauditOnlyJSON() -> [UInt8] {
        let text = String(decoding: PG.fixture("pg15_phase2_verbose_pgaudit_logrows.json"), as: UTF8.self)
        let kept = text.split(separator: "\n").filter { line in
            !(line.contains(#""message":"statement: "#) || line.contains(#""message":"execute "#)
              || line.contains(#""message":"duration: "#))
        }
        return Array(kept.joined(separator: "\n").utf8)
    }

    struct Exec: Equatable, CustomStringConvertible {
        var pid: Int, sql: String, params: [String?]
        var description: String { "\(pid) \(sql) \(params)" }
    }

    static func execs(_ events: [Event]) -> [Exec] {
        PG.statements(events).filter { !$0.failed }.map { Exec(pid: $0.backend.pid, sql: $0.sql, params: $0.parameters) }
    }

    @Test func pgauditAloneGivesTheStatementsLogStatementGives() {
        let (both, _) = PG.parse(fixture: "pg15_phase2_verbose_pgaudit_logrows.json")
        let (alone, parser) = PG.parse(bytes: Self.pgauditOnlyJSON(), file: "audit-only.json")
        #expect(PG.unparsed(alone).isEmpty)
        let fromAudit = Self.execs(alone)
        #expect(!fromAudit.isEmpty)
        // Every execution log_statement reported comes back from the AUDIT lines, with its
        // parameters (nested CSV, a quoted comma, doubled quotes, NULL), once.
        // pgaudit.log was `read, write`: BEGIN/COMMIT/CHECKPOINT are not audited, and a statement
        // that fails before it runs has no AUDIT line (its ERROR + STATEMENT still tells).
        let notAudited: Set<String> = ["BEGIN", "COMMIT", "CHECKPOINT", "SELECT * FROM orders WHERE tenant_id = 'abc'"]
        #expect(fromAudit == Self.execs(both).filter { !notAudited.contains($0.sql) })
        #expect(PG.statements(alone).filter(\.failed).map(\.sql) == ["SELECT * FROM orders WHERE tenant_id = 'abc'"])
        #expect(fromAudit.contains(Exec(pid: 13112, sql: "SELECT o.id, c.name FROM orders o JOIN customers c USING (tenant_id) WHERE o.tenant_id = $1 AND c.name <> $2",
                                        params: ["2", "it's, \"x\""])))
        #expect(fromAudit.contains(Exec(pid: 13112, sql: "UPDATE orders SET note = $1 WHERE tenant_id = $2", params: [nil, "1"])))
        // SESSION + OBJECT lines of statement 1 (two relations): one execution.
        #expect(fromAudit.filter { $0.sql.hasPrefix("SELECT o.id") }.count == 1)
        // A two-statement simple query (ids 4 and 5, the whole string on each line): once.
        #expect(fromAudit.filter { $0.sql == "SELECT 1 FROM customers; SELECT 2 FROM orders" }.count == 1)
        #expect(parser.statistics.audits > parser.statistics.statements)
    }

    @Test(arguments: ["pg15_phase2_verbose_pgaudit_logrows_stderr.log", "pg15_phase2_verbose_pgaudit_logrows.csv",
                      "pg15_phase2_verbose_pgaudit_logrows.json"])
    func bothOnCountsEachExecutionOnce(name: String) {
        let (events, _) = PG.parse(fixture: name)
        let execs = Self.execs(events)
        // log_rows puts an AUDIT line after the next statement (COMMIT): still one execution.
        #expect(execs.filter { $0.sql == "SELECT count(*) FROM customers WHERE tenant_id = $1" }.count == 1)
        #expect(execs.filter { $0.sql.hasPrefix("SELECT o.id") }.count == 1)
        #expect(execs.filter { $0.sql == "UPDATE orders SET note = $1 WHERE tenant_id = $2" }.count == 1)
    }

    @Test func sessionSettingFromMiscSetBecomesAStatement() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7] LOG:  AUDIT: SESSION,1,1,MISC,SET,,,SET app.current_tenant = 'acme',<none>
        2026-11-22 13:00:00.001 UTC [7] LOG:  AUDIT: SESSION,2,1,READ,SELECT,TABLE,public.invoices,SELECT * FROM invoices WHERE tenant_id = $1,globex
        2026-11-22 13:00:00.002 UTC [7] LOG:  AUDIT: OBJECT,2,1,READ,SELECT,TABLE,public.invoices,SELECT * FROM invoices WHERE tenant_id = $1,globex
        2026-11-22 13:00:00.003 UTC [7] LOG:  AUDIT: SESSION,3,1,MISC,RESET,,,RESET app.current_tenant,<none>
        2026-11-22 13:00:00.004 UTC [7] LOG:  AUDIT: SESSION,3,2,READ,SELECT,TABLE,public.invoices,SELECT 1 FROM invoices,<none>
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        let st = PG.statements(events)
        #expect(st.map(\.sql) == ["SET app.current_tenant = 'acme'", "SELECT * FROM invoices WHERE tenant_id = $1", "RESET app.current_tenant"])
        #expect(st[1].parameters == ["globex"])
        #expect(st[1].via == .extended(name: "<unnamed>"))
        #expect(st[0].via == .simple && st[0].parameters == [])
        #expect(PG.audits(events).count == 5)
    }

    @Test func repeatedTextWithNewIdsIsANewExecution() {
        let text = """
        2026-11-22 13:00:00.000 UTC [7] LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,SELECT 1,<none>
        2026-11-22 13:00:00.001 UTC [7] LOG:  AUDIT: SESSION,2,1,READ,SELECT,,,SELECT 1,<none>
        2026-11-22 13:00:00.002 UTC [7] LOG:  AUDIT: SESSION,3,1,READ,SELECT,,,SELECT 1,<not logged>
        """
        let (events, _) = PG.parse(text: text, prefix: "%m [%p] ")
        #expect(PG.statements(events).count == 3)
    }
}
