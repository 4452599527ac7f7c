import Testing
import TenantWatchCore
@testable import TenantWatchTUI

/// The bell rings for a critical leak when it is listed as a provisional `NEW-n` row (seconds
/// before the store numbers it), not again when it comes back as `INC-n`, and a reused `NEW-n`
/// id for another leak rings anew.
@Suite struct CriticalWatchProvisionalTests {
    func row(_ id: String, caller: String, exposed: String, at seconds: Int64, severity: Severity = .critical) -> IncidentSummary {
        IncidentSummary(id: id, severity: severity, kinds: [.crossTenantResponse], caller: caller, exposed: [exposed],
                        firstSeen: Timestamp(microseconds: seconds * 1_000_000), lastSeen: nil, count: 1)
    }

    @Test func ringsForTheProvisionalRowOnceNotAgainWhenNumbered() {
        var watch = CriticalWatch()
        var snap = DashboardSnapshot(incidents: [row("INC-0001", caller: "acme", exposed: "globex", at: 1)])
        #expect(watch.newCriticals(in: snap).isEmpty, "what is there at start does not ring")
        snap.incidents.append(row("NEW-1", caller: "initech", exposed: "globex", at: 5))
        #expect(watch.newCriticals(in: snap) == ["NEW-1"], "rings as soon as the leak is listed")
        #expect(watch.newCriticals(in: snap).isEmpty, "the same provisional row rings once")
        // Stored: the same leak comes back numbered, and NEW-1 now names another leak.
        snap.incidents = [row("INC-0001", caller: "acme", exposed: "globex", at: 1),
                          row("INC-0002", caller: "initech", exposed: "globex", at: 5),
                          row("NEW-1", caller: "globex", exposed: "acme", at: 9)]
        #expect(watch.newCriticals(in: snap) == ["NEW-1"], "INC-0002 was rung for as NEW-1; the new NEW-1 is news")
        // A numbered incident never seen provisional still rings.
        snap.incidents.append(row("INC-0003", caller: "hooli", exposed: "acme", at: 12))
        #expect(watch.newCriticals(in: snap) == ["INC-0003"])
        // A provisional row that is not critical does not ring, nor its numbered incident later.
        snap.incidents.append(row("NEW-2", caller: "acme", exposed: "initech", at: 15, severity: .high))
        #expect(watch.newCriticals(in: snap).isEmpty)
    }
}
