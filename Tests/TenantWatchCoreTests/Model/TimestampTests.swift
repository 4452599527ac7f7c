import Testing
@testable import TenantWatchCore

@Suite struct TimestampTests {
    @Test func formatsRFC3339InUTC() {
        let t = Timestamp.from(year: 2026, month: 11, day: 22, hour: 14, minute: 11, second: 4,
                               microsecond: 170_000, utcOffsetSeconds: 3600)
        #expect(t.rfc3339 == "2026-11-22T13:11:04.170Z")
    }

    @Test func roundTripsCivilDays() {
        for days: Int64 in [-800_000, -1, 0, 1, 11_016, 20_414, 2_932_896] {
            let (y, m, d) = Timestamp.civilFromDays(days)
            #expect(Timestamp.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    @Test func beforeEpoch() {
        #expect(Timestamp(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
    }
}
