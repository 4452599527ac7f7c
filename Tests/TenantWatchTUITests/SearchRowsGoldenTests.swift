import Foundation
import Testing
import TenantWatchCore
@testable import TenantWatchTUI
import TenantWatchSampleData

/// The dashboard with a search slow log among its sources: the stream's `ES` rows are made from
/// real search events (`StreamRow(event:findings:)`, as the feed makes them), a cross-tenant and
/// an unscoped search marked as leaks, a correct one not; the incidents pane lists the search
/// incident. Reviewed goldens at 160x45 and 80x24.
@Suite struct SearchRowsGoldenTests {
    static let base: Int64 = 1_795_351_990_000_000

    static func query(_ line: Int, index: String, body: String, opaque: String) -> Event {
        .searchQuery(SearchQuery(position: SourcePosition(file: "/var/log/es/search-slowlog.json", line: line),
                                 time: Timestamp(microseconds: base + Int64(line) * 250_000), origin: .slowLogJSON,
                                 indices: [index], body: body, opaqueID: opaque, phase: "query", tookMillis: 3, totalHits: 2))
    }

    static func finding(_ kind: FindingKind, caller: String, accessed: [String], incident: String) -> Finding {
        var f = Finding(kind: kind, severity: .high, time: Timestamp(microseconds: base), message: kind.rawValue)
        f.callerTenant = caller
        f.accessedTenants = accessed
        f.incident = incident
        return f
    }

    static func snapshot() -> DashboardSnapshot {
        var snap = SampleSnapshot.make(incidents: 4, events: 12)
        snap.sources.append(SourceStatus(name: "search-slowlog.json", kind: SourceKind.search, state: "following"))
        let cross = finding(.crossTenantSearch, caller: "globex", accessed: ["acme"], incident: "INC-0005")
        let unscoped = finding(.unscopedSearch, caller: "initech", accessed: [], incident: "INC-0006")
        let rows: [(Event, [Finding])] = [
            (query(1, index: "documents", body: #"{"query":{"term":{"organization_id":"acme"}}}"#, opaque: "req-s011"), [cross]),
            (query(2, index: "activities-2026.11", body: #"{"query":{"match":{"title":"board minutes"}}}"#, opaque: "req-s013"), [unscoped]),
            (query(3, index: "documents", body: #"{"query":{"bool":{"filter":[{"term":{"organization_id":"globex"}}]}}}"#, opaque: "req-s001"), []),
        ]
        let next = UInt64(snap.stream.count)
        snap.stream += rows.enumerated().map { StreamRow(sequence: next + UInt64($0.offset), event: $0.element.0, findings: $0.element.1) }
        snap.incidents.insert(IncidentSummary(id: "INC-0006", severity: .high, kinds: [.unscopedSearch], caller: "initech", exposed: [],
                                              firstSeen: Timestamp(microseconds: base + 500_000), lastSeen: Timestamp(microseconds: base + 500_000),
                                              count: 1, state: .open), at: 0)
        snap.incidents.insert(IncidentSummary(id: "INC-0005", severity: .high, kinds: [.crossTenantSearch], caller: "globex", exposed: ["acme"],
                                              firstSeen: Timestamp(microseconds: base + 250_000), lastSeen: Timestamp(microseconds: base + 250_000),
                                              count: 1, state: .open), at: 1)
        snap.counters.findings += 2
        snap.counters.incidents += 2
        return snap
    }

    @Test func searchRowsOnTheDashboard() {
        let snap = Self.snapshot()
        let es = snap.stream.suffix(3)
        #expect(es.allSatisfy { $0.kind == .search })
        #expect(es.map(\.flags) == [[.leak, .crossTenant], [.leak, .unscoped], []])
        for size in [Fixtures.wide, Fixtures.narrow] {
            var s = UIState()
            s.size = size
            let g = render(snap, s, size: size)
            #expect(Fixtures.columnsOK(g))
            let text = g.text
            #expect(text.contains("ES"), "no ES row at \(size.width)x\(size.height)")
            #expect(text.contains("cross_tenant_search") || size.width < 160)
            Golden.check("search-rows-\(size.width)x\(size.height)", text)
        }
    }
}
