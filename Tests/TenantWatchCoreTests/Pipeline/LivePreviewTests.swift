import Foundation
import Testing
@testable import TenantWatchCore

/// Issue 14: in `live`, a finding that needs no correlation (a missing predicate) is raised as
/// soon as its statement is read — not a correlation window later, when its audit line comes or
/// does not — and is enriched with caller and request when they arrive, counted once.
@Suite struct LivePreviewTests {
    func events() throws -> [Event] {
        let dir = TempDir()
        let pg = dir.file("pg.log")
        try """
            2026-11-22 12:00:00.050 UTC [11] LOG:  statement: SELECT * FROM invoices /*request_id='req-1'*/
            2026-11-22 12:00:00.060 UTC [12] LOG:  statement: SELECT * FROM invoices WHERE tenant_id = 'acme' /*request_id='req-1'*/
            2026-11-22 12:00:03.000 UTC [12] LOG:  statement: SELECT 1
            """.write(toFile: pg, atomically: true, encoding: .utf8)
        let audit = dir.file("audit.log")
        try """
            {"ts":"2026-11-22T12:00:02.500Z","request_id":"req-1","route":"/invoices","status":200,"caller":"acme","response":{"tenant_ids":["acme"]}}
            """.write(toFile: audit, atomically: true, encoding: .utf8)
        var spec = SourceSpec(kind: .postgres, path: pg, format: .stderr, prefix: "%m [%p] ")
        spec.timezone = "UTC"
        let configuration = Self.configuration
        let factory = ParserFactory(configuration: configuration)
        let reader = try MergedEventReader(sources: [spec, SourceSpec(kind: .audit, path: audit)]) { s, k, f in try factory.make(spec: s, kind: k, file: f) }
        var out: [Event] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    static var configuration: Configuration {
        var c = Configuration()
        c.tenancy.tenants = ["acme", "globex"]
        c.audit.callerTenant = "caller"
        return c
    }

    func pipeline(previews: Bool) -> ScanPipeline {
        let model = TenancyModel(schema: TenancySchema(pgDump: "CREATE TABLE public.invoices (id int, tenant_id text, amount int);"),
                                 sessionSetting: "app.current_tenant")
        let p = ScanPipeline(configuration: Self.configuration, model: model, makeParser: ParserFactory(configuration: Self.configuration).make)
        p.storing = true
        p.previewsHeldStatements = previews
        return p
    }

    @Test func aMissingPredicateIsRaisedWhenItsStatementIsReadAndEnrichedLater() throws {
        let all = try events()
        let p = pipeline(previews: true)
        var raised: [Finding] = []
        p.onFinding = { raised.append($0) }
        p.ingest(all[0])
        let first = try #require(raised.first { $0.kind == .missingTenantPredicate })
        #expect(first.callerTenant == nil)
        #expect(p.findings().count == 1)
        for e in all.dropFirst() { p.ingest(e) }
        p.finishInput()
        let findings = p.findings().filter { $0.kind == .missingTenantPredicate }
        #expect(findings.count == 1)
        let enriched = try #require(findings.first)
        #expect(enriched.callerTenant == "acme")
        #expect(enriched.route == "/invoices")
        #expect(enriched.count == 1, "one line is one sighting")
        // The exposed scope: the response's tenants other than the caller (none here), named.
        #expect(enriched.accessedTenants.isEmpty && enriched.message.contains("exposed: no other tenant in the response"))
        #expect(first.accessedTenants == ["acme", "globex"] && first.message.contains("exposed: all tenants of invoices"))
        // The store gets the enriched finding, once.
        let batch = p.drainNewFindings().filter { $0.0.kind == .missingTenantPredicate }
        #expect(batch.count == 1 && batch.first?.0.callerTenant == "acme" && batch.first?.0.count == 1)

        // Without previews (scan), the same input gives the same findings.
        let q = pipeline(previews: false)
        var scanRaised: [Finding] = []
        q.onFinding = { scanRaised.append($0) }
        q.ingest(all[0])
        #expect(scanRaised.isEmpty, "scan waits for the request")
        for e in all.dropFirst() { q.ingest(e) }
        q.finishInput()
        #expect(OneAnswerTests.signature(q.findings()) == OneAnswerTests.signature(p.findings()))
    }

    /// `kill -9` after the enriched finding was stored, with a saved settled time before its
    /// statement (the settled estimate fell back): reading the lines again raises the preview
    /// first, under its own key, and enriches it when the audit line comes. The ledger knows the
    /// sighting by both keys, so it is not counted a second time.
    @Test func aStoredEnrichedPreviewIsNotCountedAgainAfterAKill() throws {
        let all = try events()
        let p = pipeline(previews: true)
        p.settledBefore = .min
        for e in all { p.ingest(e) }
        p.finishInput()
        let stored = p.drainNewFindings().filter { $0.0.kind == .missingTenantPredicate }
        #expect(stored.count == 1 && stored.first?.0.callerTenant == "acme")
        let ledger = p.drainNewSightings()
        let statementTime = try #require(stored.first?.0.time?.microseconds)

        let again = pipeline(previews: true)
        again.settledBefore = statementTime - 1
        again.storedSightings = Set(ledger.map(\.key))
        let files = Set(all.map(\.position.file))
        again.readThrough = Dictionary(uniqueKeysWithValues: files.map { ($0, 100) })
        for e in all { again.ingest(e) }
        again.finishInput()
        #expect(again.drainNewFindings().filter { $0.0.kind == .missingTenantPredicate }.isEmpty)
        #expect(again.drainNewSightings().isEmpty)
        #expect(again.findings().filter { $0.kind == .missingTenantPredicate }.count == 1, "still seen, not stored")
    }
}
