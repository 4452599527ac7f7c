import Testing
@testable import TenantWatchCore

@Suite struct IncidentGrouperTests {
    func finding(_ kind: FindingKind, fingerprint: String, at seconds: Int64) -> Finding {
        Finding(kind: kind, severity: .high, time: Timestamp(microseconds: seconds * 1_000_000),
                message: "m", fingerprint: fingerprint)
    }

    @Test func samePathIsOneIncident() {
        var g = IncidentGrouper(windowSeconds: 3600)
        #expect(g.assign(finding(.missingTenantPredicate, fingerprint: "a", at: 0)) == "INC-0001")
        #expect(g.assign(finding(.missingTenantPredicate, fingerprint: "b", at: 10)) == "INC-0002")
        #expect(g.assign(finding(.missingTenantPredicate, fingerprint: "a", at: 3000)) == "INC-0001")
    }

    @Test func recurrenceAfterTheWindowOpensANewIncident() {
        var g = IncidentGrouper(windowSeconds: 60)
        #expect(g.assign(finding(.missingTenantPredicate, fingerprint: "a", at: 0)) == "INC-0001")
        #expect(g.assign(finding(.missingTenantPredicate, fingerprint: "a", at: 61)) == "INC-0002")
    }

    @Test func kindsOfOneFamilyShareAnIncident() {
        var g = IncidentGrouper()
        let a = g.assign(finding(.missingTenantPredicate, fingerprint: "x", at: 0))
        let b = g.assign(finding(.crossTenantQuery, fingerprint: "x", at: 1))
        #expect(a == b)
        #expect(g.assign(finding(.unscopedCacheKey, fingerprint: "x", at: 2)) != a)
    }

    @Test func numbersPastFourDigits() {
        #expect(IncidentGrouper.format(12345) == "INC-12345")
    }
}
