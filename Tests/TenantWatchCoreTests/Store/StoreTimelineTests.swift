import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct StoreTimelineTests {
    @Test func statementFindingCarriesRequestSessionStatementAndFinding() {
        let exec = StatementExecution(position: SourcePosition(file: "pg.log", line: 40), time: Timestamp(microseconds: 5),
                                      backend: BackendID(pid: 77), application: "billing",
                                      sql: "SELECT * FROM invoices WHERE tenant_id = $1", parameters: ["globex"])
        var s = AnalyzedStatement(execution: exec, verdict: .scoped, tables: ["invoices"], accessedTenants: ["globex"])
        s.sessionTenant = "acme"
        s.request = RequestContext(AuditRequest(position: SourcePosition(file: "audit.log", line: 3), time: nil,
                                                requestID: "req-1", route: "GET /invoices",
                                                caller: CallerIdentity(tenant: "acme", source: .token, verification: .verified)))
        let f = Finding(kind: .crossTenantQuery, severity: .high, time: exec.time, message: "acme read globex",
                        evidence: [exec.position])
        let entries = TimelineBuilder.entries(for: f, statement: s)
        #expect(entries.map(\.kind) == [.request, .sessionSetting, .statement, .finding])
        #expect(entries[0].summary.contains("req-1") && entries[0].summary.contains("caller acme"))
        #expect(entries[1].summary.contains("acme"))
        #expect(entries[2].raw == exec.sql && entries[2].bindValues == ["globex"])
        #expect(entries[3].position == exec.position)
    }

    @Test func requestFindingCarriesStatementsAndResponse() {
        let r = AuditRequest(position: SourcePosition(file: "audit.log", line: 9), time: Timestamp(microseconds: 50),
                             requestID: "req-2", responseTenants: ["acme", "globex"], status: 200)
        let f = Finding(kind: .crossTenantResponse, severity: .critical, time: r.time, message: "m", evidence: [r.position])
        let entries = TimelineBuilder.entries(for: f, request: r, statements: [SourcePosition(file: "pg.log", line: 4)])
        #expect(entries.map(\.kind) == [.request, .statement, .response, .finding])
        #expect(entries[2].summary.contains("200") && entries[2].summary.contains("globex"))
    }

    @Test func rawTextIsBoundedOnACharacterBoundary() {
        let text = String(repeating: "é", count: 3000)  // 6000 bytes
        let e = TimelineEntry(kind: .statement, time: nil, position: nil, summary: "s", raw: text)
        #expect(e.rawTruncated)
        #expect(e.raw!.utf8.count <= TimelineEntry.rawLimit && e.raw!.allSatisfy { $0 == "é" })
        #expect(!TimelineEntry(kind: .statement, time: nil, position: nil, summary: "s", raw: "short").rawTruncated)
    }

    @Test func quoterFillsRawFromTheSourceLines() throws {
        let dir = TempDir()
        let path = dir.file("pg.log")
        try Data("one\ntwo\nthree\nfour\n".utf8).write(to: URL(fileURLWithPath: path))
        let f = Finding(kind: .missingTenantPredicate, severity: .high, time: nil, message: "m",
                        evidence: [SourcePosition(file: path, line: 2, endLine: 3)])
        var batch = [(f, TimelineBuilder.entries(for: f))]
        TimelineQuoter.quote(&batch)
        #expect(batch[0].1.allSatisfy { $0.raw == "two\nthree" })
    }
}
