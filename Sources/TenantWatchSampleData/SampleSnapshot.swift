import TenantWatchCore
import TenantWatchTUI

/// A deterministic synthetic snapshot for the frame benchmark and the view tests. It lives in a
/// module of its own, outside the shipped TUI, so the `tenantwatch` binary cannot show made-up
/// incidents by accident.
public enum SampleSnapshot {
    public static let tenants = ["acme", "globex", "initech", "umbrella", "hooli", "ｙｏｋｏ商事", "🦄corp"]

    public static func make(incidents: Int, events: Int, replay: Bool = false) -> DashboardSnapshot {
        let base: Int64 = 1_795_351_930_000_000 // 2026-11-22T12:52:10Z
        var rows: [StreamRow] = []
        rows.reserveCapacity(events)
        for i in 0..<events {
            let t = Timestamp(microseconds: base + Int64(i) * 12_345)
            let caller = tenants[i % 5]
            let other = tenants[(i + 1) % 5]
            switch i % 4 {
            case 0:
                rows.append(StreamRow(sequence: UInt64(i), time: t, source: "postgresql.log", line: 1000 + i, kind: .statement,
                                      text: "SELECT id, total FROM invoices WHERE tenant_id = '\(caller)' AND id = \(i)", caller: caller))
            case 1:
                let leak = i % 20 == 1
                rows.append(StreamRow(sequence: UInt64(i), time: t, source: "audit.log", line: 500 + i, kind: .request,
                                      text: "200 \(caller).example.com GET /invoices/\(i) caller=\(caller)" + (leak ? " → \(other)" : ""),
                                      flags: leak ? [.leak, .crossTenant] : [], caller: caller, tenants: leak ? [other] : [caller]))
            case 2:
                let unscoped = i % 10 == 2
                rows.append(StreamRow(sequence: UInt64(i), time: t, source: "postgresql.log", line: 1000 + i, kind: .statement,
                                      text: unscoped ? "SELECT * FROM invoices ORDER BY created_at DESC LIMIT 50"
                                                     : "UPDATE sessions SET seen_at = now() WHERE tenant_id = $1 [\(caller)]",
                                      flags: unscoped ? [.leak, .unscoped] : [], caller: caller))
            default:
                rows.append(StreamRow(sequence: UInt64(i), time: t, source: "redis-monitor.log", line: 200 + i, kind: .cache,
                                      text: "GET cache:\(caller):invoice:\(i) (10.0.0.7:51234)"))
            }
        }
        var list: [IncidentSummary] = []
        list.reserveCapacity(incidents)
        let kinds: [FindingKind] = [.crossTenantResponse, .missingTenantPredicate, .crossTenantQuery, .tokenHostMismatch, .unscopedCacheKey]
        let severities: [Severity] = [.high, .critical, .medium, .high, .low]
        for i in 0..<incidents {
            let first = Timestamp(microseconds: base + Int64(i) * 1_000_000)
            list.append(IncidentSummary(id: IncidentGrouper.format(incidents - i), severity: severities[i % 5],
                                        kinds: i % 3 == 0 && i % 5 != 0 ? [kinds[i % 5], .crossTenantResponse] : [kinds[i % 5]],
                                        caller: tenants[i % tenants.count], exposed: [tenants[(i + 1) % tenants.count]],
                                        firstSeen: first, lastSeen: Timestamp(microseconds: first.microseconds + 61_000_000),
                                        count: 1 + i % 17, state: i % 7 == 3 ? .acknowledged : i % 11 == 5 ? .resolved : .open))
        }
        let findingCount = list.reduce(0) { $0 + $1.kinds.count }
        let sources = [
            SourceStatus(name: "postgresql.log", kind: SourceKind.postgres, state: replay ? "replaying" : "following"),
            SourceStatus(name: "audit.log", kind: SourceKind.audit, state: "following", lagBytes: replay ? 0 : 48_213),
            SourceStatus(name: "redis-monitor.log", kind: SourceKind.redis, state: "rotated", health: .warn),
        ]
        let byID = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let provider = ClosureDetailProvider { id in
            guard let summary = byID[id] else { return nil }
            return sampleDetail(summary)
        }
        return DashboardSnapshot(
            sources: sources,
            counters: Counters(lines: events + events / 3, events: events, unparsed: 0, eventsPerSecond: 1234.5,
                               findings: findingCount, incidents: incidents),
            replay: replay ? ReplayStatus(clock: Timestamp(microseconds: base + 42_000_000), speed: 4, paused: false) : nil,
            stream: rows, incidents: list, details: provider)
    }

    public static func sampleDetail(_ summary: IncidentSummary) -> TenantWatchTUI.IncidentDetail {
        let exposed = summary.exposed.first ?? "globex"
        let t = summary.firstSeen
        return TenantWatchTUI.IncidentDetail(
            summary: summary,
            timeline: [
                .init(time: t, source: "audit.log", line: 4411, kind: "request",
                      summary: "GET /api/invoices?tenant=\(exposed) by \(summary.caller ?? "?")"),
                .init(time: t, source: "postgresql.log", line: 18_230, kind: "statement",
                      summary: "SELECT … FROM invoices WHERE tenant_id = '\(exposed)'"),
                .init(time: summary.lastSeen, source: "audit.log", line: 4412, kind: "response",
                      summary: "200, 12 rows of tenant \(exposed)"),
            ],
            statement: "SELECT i.id, i.total, c.name FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.tenant_id = '\(exposed)' AND i.status = 'open' ORDER BY i.created_at DESC LIMIT 50",
            highlightTerms: [exposed],
            maskedToken: "eyJhbG…x4Tc",
            tokenClaims: [("tenant", summary.caller ?? "?"), ("sub", "user-8812"), ("verification", "verified")],
            host: "\(summary.caller ?? "x").example.com", route: "GET /api/invoices", application: "billing-api",
            message: "response carried tenant \(exposed) to a caller of tenant \(summary.caller ?? "?")",
            notes: [DetailNote(author: "ana", text: "paged on-call 12:55", visibility: .internal)])
    }
}
