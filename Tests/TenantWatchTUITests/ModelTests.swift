import Testing
import TenantWatchCore
@testable import TenantWatchTUI

@Suite struct SnapshotModelTests {
    /// Issue 14: a guess is shown as one (`?X`), never with a leak's marker.
    @Test func aSuspectedFindingIsNotMarkedAsALeak() {
        let guess = Finding(kind: .suspectedCrossTenantResponse, severity: .medium, time: nil, message: "suspected")
        let flags = StreamRow.Flags(findings: [guess])
        #expect(flags.contains(.suspected) && !flags.contains(.leak) && !flags.contains(.crossTenant))
        let leak = Finding(kind: .crossTenantResponse, severity: .critical, time: nil, message: "leak")
        #expect(StreamRow.Flags(findings: [guess, leak]).contains(.crossTenant))
    }

    @Test func theDetailMasksWholeTokens() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRfaWQiOiJnbG9iZXgifQ.c2lnbmF0dXJlLWJ5dGVz"
        let t0 = Timestamp(seconds: 1_795_351_930)
        let f = Finding(kind: .missingTenantPredicate, severity: .high, time: t0, message: "token Bearer \(jwt) seen",
                        incident: "INC-0001", tables: ["sessions"],
                        statement: "SELECT * FROM sessions WHERE token = '\(jwt)'",
                        evidence: [SourcePosition(file: "/var/log/pg.log", line: 12)])
        let d = IncidentDetail(findings: [f])
        let shown = (d.statement ?? "") + (d.message ?? "") + d.timeline.map(\.summary).joined()
        #expect(!shown.contains(jwt) && !shown.contains("c2lnbmF0dXJl"), "\(shown)")
        #expect(shown.contains("[JWT masked]"))
    }

    @Test func incidentsFoldFromFindings() {
        let t0 = Timestamp(seconds: 1_795_351_930), t1 = Timestamp(seconds: 1_795_352_000)
        var a = Finding(kind: .missingTenantPredicate, severity: .high, time: t0, message: "m", incident: "INC-0001",
                        callerTenant: "acme", accessedTenants: [], tables: ["invoices"],
                        statement: "select * from invoices /*traceparent='00-ab'*/",
                        evidence: [SourcePosition(file: "/var/log/pg.log", line: 12)])
        a.count = 2
        var b = Finding(kind: .crossTenantResponse, severity: .critical, time: t1, message: "r", incident: "INC-0001",
                        callerTenant: "acme", accessedTenants: ["globex"], evidence: [SourcePosition(file: "audit.log", line: 3)])
        b.lastSeen = t1
        let c = Finding(kind: .unscopedCacheKey, severity: .medium, time: t0, message: "k", incident: "INC-0002")
        let list = IncidentSummary.from(findings: [a, b, c], states: ["INC-0002": .resolved])
        #expect(list.map(\.id) == ["INC-0001", "INC-0002"])
        #expect(list[0].severity == .critical)
        #expect(list[0].kinds == [.missingTenantPredicate, .crossTenantResponse])
        #expect(list[0].exposed == ["globex"])
        #expect(list[0].count == 3)
        #expect(list[0].firstSeen == t0 && list[0].lastSeen == t1)
        #expect(list[1].state == .resolved)

        let d = IncidentDetail(findings: [a, b])
        #expect(d.timeline.map(\.source) == ["pg.log", "audit.log"])
        #expect(d.statement == "select *\nfrom invoices")
        let scalars = Array(d.statement!.unicodeScalars)
        #expect(d.highlights.map { String(String.UnicodeScalarView(scalars[$0])) } == ["invoices"])
    }

    @Test func streamRowsFromEvents() {
        let st = StatementExecution(position: SourcePosition(file: "/x/postgresql.log", line: 7), time: nil, backend: BackendID(pid: 1),
                                    sql: "SELECT *\n  FROM invoices;  /*traceparent='00-1'*/", parameters: ["acme", nil])
        let f = Finding(kind: .missingTenantPredicate, severity: .high, time: nil, message: "", callerTenant: "acme")
        let row = StreamRow(sequence: 9, event: .statement(st), findings: [f])
        #expect(row.text == "SELECT * FROM invoices [acme, NULL]")
        #expect(row.flags == [.leak, .unscoped])
        #expect(row.source == "postgresql.log" && row.line == 7 && row.caller == "acme")
    }

    @Test func prettyPrinterBreaksClausesOutsideQuotes() {
        let s = SQLPrettyPrinter.format("SELECT a FROM t JOIN u ON u.id = t.id WHERE x = 'a where b' AND y IN (SELECT 1 FROM v WHERE z) ORDER BY a")
        #expect(s == "SELECT a\nFROM t\nJOIN u ON u.id = t.id\nWHERE x = 'a where b'\n  AND y IN (SELECT 1 FROM v WHERE z)\nORDER BY a")
    }
}
