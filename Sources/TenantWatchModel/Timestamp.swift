import Foundation

/// A log instant in microseconds since the Unix epoch (UTC).
///
/// Log lines are parsed by the million; an integer is cheaper to build, compare and order than
/// `Date`, and exact to the microsecond PostgreSQL and Redis write.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded()) }

    public var seconds: Double { Double(microseconds) / 1_000_000 }
    public var date: Date { Date(timeIntervalSince1970: seconds) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// RFC 3339 in UTC with milliseconds, the form findings carry (`2026-11-22T12:52:10.382Z`).
    public var rfc3339: String {
        let totalSeconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - totalSeconds * 1_000_000
        let (y, m, d) = Timestamp.civilFromDays(totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400)
        let secOfDay = totalSeconds - (totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400) * 86_400
        let hh = secOfDay / 3600, mm = (secOfDay % 3600) / 60, ss = secOfDay % 60
        if y >= 0 && y <= 9999 {
            // Written as bytes: findings print two of these each, and sixteen string appends
            // per instant were most of printing a finding.
            return String(unsafeUninitializedCapacity: 24) { buffer in
                func put(_ v: Int64, _ width: Int, at offset: Int) {
                    var v = v
                    for i in stride(from: offset + width - 1, through: offset, by: -1) {
                        buffer[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                        v /= 10
                    }
                }
                put(y, 4, at: 0); buffer[4] = UInt8(ascii: "-")
                put(m, 2, at: 5); buffer[7] = UInt8(ascii: "-")
                put(d, 2, at: 8); buffer[10] = UInt8(ascii: "T")
                put(hh, 2, at: 11); buffer[13] = UInt8(ascii: ":")
                put(mm, 2, at: 14); buffer[16] = UInt8(ascii: ":")
                put(ss, 2, at: 17); buffer[19] = UInt8(ascii: ".")
                put(micros / 1000, 3, at: 20); buffer[23] = UInt8(ascii: "Z")
                return 24
            }
        }
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2)).\(pad(micros / 1000, 3))Z"
    }

    public var description: String { rfc3339 }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm):
    /// exact, branch-light, and free of Calendar's locking and allocation.
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Builds an instant from wall-clock fields and a UTC offset in seconds.
    public static func from(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64,
                            second: Int64, microsecond: Int64, utcOffsetSeconds: Int64) -> Timestamp {
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - utcOffsetSeconds
        return Timestamp(microseconds: secs * 1_000_000 + microsecond)
    }
}
