import Foundation
import Testing
@testable import TenantWatchCore
import TenantWatchModel

/// Announce on detection, store when settled (issue 17): a finding that needs no correlation is
/// announced once, before the store numbers it, and never again when the store records it.
@Suite struct EarlyAlertsTests {
    func response(_ request: String, cacheKey: String? = nil, at seconds: Int64 = 10) -> Finding {
        var f = Finding(kind: .crossTenantResponse, severity: .critical, time: Timestamp(microseconds: seconds * 1_000_000),
                        message: "response to initech's request carried data of globex", requestID: request,
                        callerTenant: "initech", accessedTenants: ["globex"], route: "/probe/\(request)",
                        evidence: [SourcePosition(file: "audit.log", line: 7)])
        f.cacheKey = cacheKey
        return f
    }

    func predicate(at seconds: Int64 = 10) -> Finding {
        Finding(kind: .missingTenantPredicate, severity: .high, time: Timestamp(microseconds: seconds * 1_000_000),
                message: "no tenant predicate", callerTenant: "initech", tables: ["invoices"], application: "billing",
                statement: "SELECT * FROM invoices", fingerprint: "fp1", evidence: [SourcePosition(file: "pg.log", line: 3)])
    }

    @Test func onlyFindingsJudgedFromTheirOwnLineQualify() {
        #expect(EarlyAlerts.needsNoCorrelation(response("req-1")))
        // Tied across sources through a Redis key: a correlation, announced when stored.
        #expect(!EarlyAlerts.needsNoCorrelation(response("req-2", cacheKey: "project:1041")))
        #expect(!EarlyAlerts.needsNoCorrelation(predicate()))
    }

    @Test func announcedOnDetectionThenNotAgainWhenStored() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("incidents.sqlite"))
        let isStored: (String) -> Bool = { key in ((try? store.incidentID(forKey: key)) ?? nil) != nil }
        var alerts = EarlyAlerts()
        let early = response("req-1")
        let chained = response("req-2", cacheKey: "project:1041")
        let statement = predicate()

        // Detected: only the one that needs no correlation goes out, with no incident id yet.
        var pendingEarly = early
        pendingEarly.incident = "NEW-1"
        let first = alerts.announceNow([pendingEarly, chained, statement], isStored: isStored)
        #expect(first.map(\.requestID) == ["req-1"])
        #expect(first.first?.incident == nil)
        // Still waiting for the store, seen again (and again counted into the same finding): not twice.
        var again = early
        again.count = 2
        #expect(alerts.announceNow([again, chained, statement], isStored: isStored).isEmpty)
        #expect(alerts.waiting == 1)

        // Settled and stored: the early one is reported as not new; the others are new as before,
        // and the incident opened for the early one is still new (it is numbered now).
        let batch = [early, chained, statement]
        let results = try store.commit(findings: batch.map { ($0, []) })
        #expect(results.allSatisfy { $0.isNewFinding })
        let told = alerts.settle(Array(zip(batch, results)))
        #expect(told.map(\.1.isNewFinding) == [false, true, true])
        #expect(told.map(\.1.isNewIncident) == results.map(\.isNewIncident))
        #expect(told[0].1.isNewIncident)
        #expect(told[0].1.incidentID == results[0].incidentID)
        #expect(alerts.waiting == 0)

        // A later sighting of the stored finding is no new finding: not announced early either,
        // and when stored it is not new to the store, so nothing says it again.
        #expect(alerts.announceNow([response("req-1", at: 20)], isStored: isStored).isEmpty)
        let repeatResults = try store.commit(findings: [(response("req-1", at: 20), [])])
        #expect(alerts.settle([(response("req-1", at: 20), repeatResults[0])]).map(\.1.isNewFinding) == [false])
    }

    @Test func aFindingStoredBeforeItWasAnnouncedIsAnnouncedWhenStored() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("incidents.sqlite"))
        var alerts = EarlyAlerts()
        // Drained in the same commit it was detected in (quiet logs: everything settled at once).
        let f = response("req-3")
        let results = try store.commit(findings: [(f, [])])
        #expect(alerts.settle([(f, results[0])]).map(\.1.isNewFinding) == [true])
        #expect(alerts.announceNow([f], isStored: { key in ((try? store.incidentID(forKey: key)) ?? nil) != nil }).isEmpty)
    }
}
