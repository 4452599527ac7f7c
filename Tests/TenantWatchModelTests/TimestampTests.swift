import Testing
@testable import TenantWatchModel

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

    /// The byte-level writer covers years 0 through 9999; the edges of that range and the years
    /// outside it (written the general way) all keep their digits.
    @Test func formatsEveryFieldAtTheEdgesOfFourDigitYears() {
        #expect(Timestamp(microseconds: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(microseconds: 999).rfc3339 == "1970-01-01T00:00:00.000Z")
        let last = Timestamp.from(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59,
                                  microsecond: 999_999, utcOffsetSeconds: 0)
        #expect(last.rfc3339 == "9999-12-31T23:59:59.999Z")
        let first = Timestamp.from(year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0,
                                   microsecond: 7_000, utcOffsetSeconds: 0)
        #expect(first.rfc3339 == "0000-01-01T00:00:00.007Z")
        #expect(Timestamp(microseconds: last.microseconds + 1).rfc3339 == "10000-01-01T00:00:00.000Z")
        let odd = Timestamp.from(year: 2024, month: 2, day: 29, hour: 9, minute: 5, second: 7,
                                 microsecond: 45_678, utcOffsetSeconds: 0)
        #expect(odd.rfc3339 == "2024-02-29T09:05:07.045Z")
    }
}
