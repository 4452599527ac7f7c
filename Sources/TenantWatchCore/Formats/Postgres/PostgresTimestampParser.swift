import Foundation
import TenantWatchModel

/// Reads PostgreSQL's log timestamps from bytes: `2026-11-22 14:11:04.170 CET` (`%m`, csvlog,
/// jsonlog), `2026-11-22 14:11:04 CET` (`%t`), numeric zones (`+01`, `-0330`, `+05:30`) and
/// `%n` epoch seconds (`1795353126.090`).
///
/// A zone abbreviation (`CET`, `EST`) carries no offset, so it is resolved once against the
/// source's configured IANA zone (`timezone` in the config) and cached by abbreviation: the
/// abbreviation already encodes daylight saving (`CET` vs `CEST`), so its offset is constant.
/// No `DateFormatter`, no `Calendar` per line.
struct PostgresTimestampParser {
    let timeZone: TimeZone
    private var lastZone: [UInt8] = []
    private var lastOffset: Int64 = 0
    private var cache: [String: Int64] = [:]
    /// The last date seen (`2026-11-22`, as raw bytes) and what it parsed to.
    private var hasLastDate = false
    private var lastDate8: UInt64 = 0
    private var lastDate2: UInt16 = 0
    private var lastDate: (Int64, Int64, Int64) = (0, 0, 0)
    private var lastDays: Int64 = 0

    init(timezone: String) {
        self.timeZone = TimeZone(identifier: timezone) ?? TimeZone(secondsFromGMT: 0)!
    }

    /// The whole of `b[start..<end]` must be one timestamp (date, time, optional fraction,
    /// optional zone).
    mutating func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Timestamp? {
        guard let (t, used) = parsePrefix(b, start, end), used == end else { return nil }
        return t
    }

    /// Parses a timestamp starting at `start`; returns it and the index after it (the zone
    /// token included, when one follows after a single space).
    mutating func parsePrefix(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Timestamp, Int)? {
        guard end - start >= 19, start >= 0, end <= b.count else { return nil }
        @inline(__always) func d2(_ i: Int) -> Int64? {
            let a = b[i] &- 48, c = b[i + 1] &- 48
            return a < 10 && c < 10 ? Int64(a) * 10 + Int64(c) : nil
        }
        let s = start
        // The date changes once a day: its 10 bytes are compared with the last line's and only
        // parsed (and turned into days since the epoch) when they differ.
        let raw = UnsafeRawPointer(b.baseAddress! + s)
        let date8 = raw.loadUnaligned(as: UInt64.self), date2 = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let y1: Int64, y2: Int64, mo: Int64, d: Int64, days: Int64
        if hasLastDate, date8 == lastDate8, date2 == lastDate2 {
            (y1, y2, mo, d, days) = (lastDate.0 / 100, lastDate.0 % 100, lastDate.1, lastDate.2, lastDays)
        } else {
            guard let a = d2(s), let c = d2(s + 2), b[s + 4] == Bytes.dash, let m = d2(s + 5),
                  b[s + 7] == Bytes.dash, let dd = d2(s + 8), m >= 1, m <= 12, dd >= 1, dd <= 31 else { return nil }
            (y1, y2, mo, d) = (a, c, m, dd)
            days = Timestamp.daysFromCivil(year: a * 100 + c, month: m, day: dd)
            (lastDate8, lastDate2, hasLastDate) = (date8, date2, true)
            lastDate = (a * 100 + c, m, dd)
            lastDays = days
        }
        guard b[s + 10] == Bytes.space || b[s + 10] == 84,
              let h = d2(s + 11), b[s + 13] == Bytes.colon, let mi = d2(s + 14), b[s + 16] == Bytes.colon,
              let se = d2(s + 17), h < 24, mi < 60, se < 61
        else { return nil }
        var i = s + 19
        var micro: Int64 = 0
        if i < end, b[i] == Bytes.dot {
            i += 1
            var digits = 0
            while i < end, Bytes.isDigit(b[i]) {
                if digits < 6 { micro = micro * 10 + Int64(b[i] - 48) }
                digits += 1; i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micro *= 10 }
        }
        var offset: Int64 = 0
        if i + 1 < end, b[i] == Bytes.space, isZoneStart(b[i + 1]) {
            let zs = i + 1
            let ze = zoneEnd(b, zs, end)
            guard let off = zoneOffset(b, zs, ze, year: y1 * 100 + y2, month: mo, day: d, hour: h) else { return nil }
            offset = off
            i = ze
        } else if i < end, b[i] == Bytes.plus || b[i] == Bytes.dash || b[i] == 90 /* Z */ {
            let ze = zoneEnd(b, i, end)
            guard let off = zoneOffset(b, i, ze, year: y1 * 100 + y2, month: mo, day: d, hour: h) else { return nil }
            offset = off
            i = ze
        }
        // As `Timestamp.from`, with the cached day number.
        let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset
        return (Timestamp(microseconds: secs * 1_000_000 + micro), i)
    }

    /// `%n`: seconds since the epoch with milliseconds.
    static func parseEpoch(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Timestamp? {
        var i = start
        var secs: Int64 = 0
        var n = 0
        // At most 12 digits (year 33658): checked before multiplying, as a longer run of digits
        // (any text can stand where a prefix is tried) would overflow Int64 first.
        while i < end, Bytes.isDigit(b[i]) {
            guard n < 12 else { return nil }
            secs = secs * 10 + Int64(b[i] - 48); i += 1; n += 1
        }
        guard n > 0 else { return nil }
        var micro: Int64 = 0
        if i < end, b[i] == Bytes.dot {
            i += 1
            var digits = 0
            while i < end, Bytes.isDigit(b[i]) {
                if digits < 6 { micro = micro * 10 + Int64(b[i] - 48) }
                digits += 1; i += 1
            }
            for _ in digits..<max(digits, 6) { micro *= 10 }
        }
        guard i == end else { return nil }
        return Timestamp(microseconds: secs * 1_000_000 + micro)
    }

    /// Where the zone token starting at `zs` ends: letters (`UTC`, `CEST`), or a sign and digits
    /// (`+01`, `-0330`, `+05:30`). PostgreSQL writes nothing else there, and prefixes put other
    /// text right after it: RDS's `%t:%r:...` (`UTC:10.0.1.7(51234):` — `UTC:` is not a zone),
    /// Azure's `%t-%c-` (`UTC-6458f2a1.2b5c-`). A colon belongs to a numeric offset only as
    /// `+HH:MM` (two digits, the colon, two digits, then no digit).
    @inline(__always) private func zoneEnd(_ b: UnsafeBufferPointer<UInt8>, _ zs: Int, _ end: Int) -> Int {
        var ze = zs
        if b[zs] == Bytes.plus || b[zs] == Bytes.dash {
            ze += 1
            while ze < end, Bytes.isDigit(b[ze]) { ze += 1 }
            if ze - zs == 3, ze < end, b[ze] == Bytes.colon, ze + 2 < end, Bytes.isDigit(b[ze + 1]), Bytes.isDigit(b[ze + 2]),
               ze + 3 == end || !Bytes.isDigit(b[ze + 3]) {
                ze += 3
            }
            return ze
        }
        while ze < end, Bytes.isAlpha(b[ze]) { ze += 1 }
        return ze
    }

    @inline(__always) private func isZoneStart(_ c: UInt8) -> Bool { Bytes.isAlpha(c) || c == Bytes.plus || c == Bytes.dash }

    /// Offset in seconds east of UTC for a zone token: numeric zones directly, abbreviations
    /// through the configured zone (cached).
    private mutating func zoneOffset(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int,
                                     year: Int64, month: Int64, day: Int64, hour: Int64) -> Int64? {
        guard s < e else { return nil }
        let c = b[s]
        if c == Bytes.plus || c == Bytes.dash {
            // +HH, +HHMM, +HH:MM, +HHMMSS
            var digits: [Int64] = []
            for i in (s + 1)..<e {
                if b[i] == Bytes.colon { continue }
                guard Bytes.isDigit(b[i]) else { return nil }
                digits.append(Int64(b[i] - 48))
            }
            guard digits.count >= 2, digits.count <= 6, digits.count % 2 == 0 else { return nil }
            var secs = (digits[0] * 10 + digits[1]) * 3600
            if digits.count >= 4 { secs += (digits[2] * 10 + digits[3]) * 60 }
            if digits.count == 6 { secs += digits[4] * 10 + digits[5] }
            return c == Bytes.dash ? -secs : secs
        }
        // Fast path: same abbreviation as the previous line.
        if e - s == lastZone.count {
            var same = true
            for i in 0..<lastZone.count where lastZone[i] != b[s + i] { same = false; break }
            if same { return lastOffset }
        }
        let name = Bytes.string(b, s, e)
        let off: Int64
        if let cached = cache[name] {
            off = cached
        } else {
            switch name {
            case "UTC", "GMT", "Z", "UCT", "Zulu": off = 0
            default:
                // Resolve the wall-clock instant against the configured zone (two steps: guess,
                // then correct with the offset in force at the guessed instant).
                let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
                let wall = Double(days * 86_400 + hour * 3600)
                let guess = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall)))
                off = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - Double(guess))))
            }
            // A server uses one or two abbreviations; hostile lines could bring a new one each.
            if cache.count < 64 { cache[name] = off }
        }
        lastZone = Array(UnsafeBufferPointer(rebasing: b[s..<e]))
        lastOffset = off
        return off
    }
}
