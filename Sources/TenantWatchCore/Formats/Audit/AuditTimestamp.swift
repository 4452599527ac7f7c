import TenantWatchModel

/// Reads the time of an audit line, in whichever form the application wrote it.
///
/// - RFC 3339 / ISO 8601: `2026-11-22T12:52:10.382Z`, `2026-11-22T13:52:10+01:00`,
///   `2026-11-22 12:52:10` (`T` or a space; fraction of any length, kept to the microsecond;
///   zone `Z`, `±HH:MM`, `±HHMM`, `±HH` or ` UTC`; no zone means UTC).
/// - Unix epoch as a number or a numeric string, with or without a fraction. The unit is told by
///   magnitude: below 10^11 seconds (until year 5138), below 10^14 milliseconds, below 10^17
///   microseconds, else nanoseconds.
public enum AuditTimestamp {
    public static func parse(_ value: JSONValue) -> Timestamp? {
        switch value {
        case .number(let n): return parseEpoch(n)
        case .string(let s): return parse(s)
        default: return nil
        }
    }

    public static func parse(_ text: String) -> Timestamp? {
        var s = text
        return s.withUTF8 { b -> Timestamp? in
            var start = 0, end = b.count
            while start < end, b[start] == 0x20 { start += 1 }
            while end > start, b[end - 1] == 0x20 { end -= 1 }
            guard start < end else { return nil }
            // Epoch when the text is a (signed) decimal number.
            var numeric = true
            for k in start..<end where !(b[k] &- 48 < 10 || b[k] == UInt8(ascii: ".") || (k == start && b[k] == UInt8(ascii: "-"))) {
                numeric = false
                break
            }
            if numeric { return parseEpoch(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)) }
            return parseISO(UnsafeBufferPointer(rebasing: b[start..<end]))
        }
    }

    /// `1795353237`, `1795353237.358614`, `1795353237358`: seconds, milli-, micro- or nanoseconds.
    static func parseEpoch(_ text: String) -> Timestamp? {
        var negative = false
        var intPart: Int64 = 0
        var intDigits = 0
        var frac: Int64 = 0   // fraction scaled to 10^-18 is overkill; keep 9 digits (ns)
        var fracDigits = 0
        var seenDot = false
        var seenExponent = false
        for (k, c) in text.utf8.enumerated() {
            if k == 0 && c == UInt8(ascii: "-") { negative = true; continue }
            if c == UInt8(ascii: ".") && !seenDot { seenDot = true; continue }
            if c | 0x20 == UInt8(ascii: "e") { seenExponent = true; break }
            guard c &- 48 < 10 else { return nil }
            let d = Int64(c - 48)
            if seenDot {
                if fracDigits < 9 { frac = frac * 10 + d; fracDigits += 1 }
            } else {
                // 19 digits are needed (nanoseconds today are 1.8e18), but not every 19-digit
                // number fits in Int64: past Int64.max it is no time, not a trap.
                let (m, o1) = intPart.multipliedReportingOverflow(by: 10)
                let (v, o2) = m.addingReportingOverflow(d)
                guard !o1, !o2 else { return nil }
                intPart = v
                intDigits += 1
            }
        }
        if seenExponent {
            // `1.7953532373e9`: rare; Double is exact enough to the millisecond here.
            guard let d = Double(text), d.isFinite else { return nil }
            return fromMagnitude(double: d)
        }
        guard intDigits > 0 else { return nil }
        while fracDigits < 9 { frac *= 10; fracDigits += 1 }
        // Total in nanoseconds of the unit, then scale to microseconds.
        let magnitude = intPart
        let micros: Int64
        if magnitude < 100_000_000_000 {                // seconds
            micros = magnitude * 1_000_000 + frac / 1000
        } else if magnitude < 100_000_000_000_000 {     // milliseconds
            micros = magnitude * 1000 + frac / 1_000_000
        } else if magnitude < 100_000_000_000_000_000 { // microseconds
            micros = magnitude
        } else {                                        // nanoseconds
            micros = magnitude / 1000
        }
        return Timestamp(microseconds: negative ? -micros : micros)
    }

    private static func fromMagnitude(double d: Double) -> Timestamp? {
        let a = abs(d)
        let micros: Double
        if a < 1e11 { micros = d * 1e6 } else if a < 1e14 { micros = d * 1e3 } else if a < 1e17 { micros = d } else { micros = d / 1e3 }
        guard abs(micros) < 9e18 else { return nil }
        return Timestamp(microseconds: Int64(micros.rounded()))
    }

    private static func parseISO(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let d = b[i + k] &- 48
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micro: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 0x20 {
            i += 1
            guard let h = digits(2), expect(":"), let m = digits(2) else { return nil }
            hour = h; minute = m
            if expect(":") {
                guard let s = digits(2) else { return nil }
                second = s
                if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                    i += 1
                    var n = 0
                    while i < b.count, b[i] &- 48 < 10 {
                        if n < 6 { micro = micro * 10 + Int64(b[i] - 48) }
                        n += 1
                        i += 1
                    }
                    guard n > 0 else { return nil }
                    for _ in min(n, 6)..<6 { micro *= 10 }
                }
            }
            guard hour < 24, minute < 60, second <= 60 else { return nil }
        }
        // Zone.
        var offset: Int64 = 0
        if i < b.count, b[i] == 0x20 { i += 1 }
        if i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                i += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                i += 1
                guard let oh = digits(2) else { return nil }
                var om: Int64 = 0
                if expect(":") {
                    guard let m = digits(2) else { return nil }
                    om = m
                } else if i + 2 <= b.count, let m = digits(2) {
                    om = m
                }
                guard oh < 24, om < 60 else { return nil }
                offset = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
            } else if i + 3 == b.count, b[i] == UInt8(ascii: "U"), b[i + 1] == UInt8(ascii: "T"), b[i + 2] == UInt8(ascii: "C") {
                i += 3
            } else if i + 3 == b.count, b[i] == UInt8(ascii: "G"), b[i + 1] == UInt8(ascii: "M"), b[i + 2] == UInt8(ascii: "T") {
                i += 3
            }
        }
        guard i == b.count else { return nil }
        return Timestamp.from(year: year, month: month, day: day, hour: hour, minute: minute,
                              second: second, microsecond: micro, utcOffsetSeconds: offset)
    }
}
