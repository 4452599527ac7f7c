import Testing
@testable import TenantWatchCore
@testable import TenantWatchTUI

/// `E` lists privileged staff access apart from leaks: never counted as exposure.
@Suite struct ExposureStaffTests {
    static func snapshot() -> DashboardSnapshot {
        let base: Int64 = 1_795_353_400_000_000
        func finding(_ id: String, _ kind: FindingKind, _ severity: Severity, caller: String?, exposed: [String], at s: Int64) -> Finding {
            var f = Finding(kind: kind, severity: severity, time: Timestamp(microseconds: base + s * 1_000_000),
                            message: "\(kind.rawValue)", incident: id, requestID: "r-\(id)", callerTenant: caller,
                            accessedTenants: exposed, route: "/admin/invoices")
            f.lastSeen = f.time
            return f
        }
        let findings = [
            finding("INC-0001", .crossTenantQuery, .high, caller: "acme", exposed: ["globex"], at: 1),
            finding("INC-0002", .privilegedAccess, .info, caller: "internal", exposed: ["globex"], at: 2),
            finding("INC-0003", .privilegedAccess, .info, caller: nil, exposed: ["initech"], at: 3),
        ]
        return DashboardSnapshot(counters: Counters(events: 3, findings: 3, incidents: 3), stream: [],
                                 incidents: IncidentSummary.from(findings: findings))
    }

    @Test func staffAccessIsListedUnderItsOwnHeadingAfterTheLeaks() {
        let snap = Self.snapshot()
        #expect(ExposureView.pairs(snap.incidents).map { "\($0.caller)→\($0.exposed)" } == ["acme→globex"])
        #expect(ExposureView.pairs(snap.incidents, staff: true).map { "\($0.caller)→\($0.exposed)" }.sorted()
                == ["internal→globex", "staff→initech"])
        let lines = ExposureView.lines(snap.incidents)
        #expect(lines.count == 4)
        #expect(lines[1] == .heading)
        var s = UIState()
        s.size = Fixtures.wide
        _ = handle(key: .char("E"), state: &s, snapshot: snap)
        let g = render(snap, s, size: Fixtures.wide)
        #expect(g.text.contains("(1 pairs, 2 staff access)"))
        let rows = (0..<g.height).map { g.line($0) }
        let heading = rows.firstIndex { $0.contains("Staff access (privileged, verified; not leaks)") }
        let leak = rows.firstIndex { $0.contains(" acme ") && $0.contains("globex") }
        let staff = rows.firstIndex { $0.contains(" internal ") && $0.contains("globex") }
        #expect(heading != nil && leak != nil && staff != nil)
        if let heading, let leak, let staff { #expect(leak < heading && heading < staff) }
    }
}

@Suite struct StaffAccessStreamTests {
    @Test func aStaffAccessRowCarriesNoLeakMarker() {
        let staff = Finding(kind: .privilegedAccess, severity: .info, time: nil, message: "privileged access")
        #expect(StreamRow.Flags(findings: [staff]).isEmpty)
        let leak = Finding(kind: .crossTenantQuery, severity: .high, time: nil, message: "leak")
        #expect(StreamRow.Flags(findings: [staff, leak]).contains(.leak))
    }
}
