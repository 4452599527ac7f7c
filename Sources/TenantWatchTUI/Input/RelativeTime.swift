import Foundation
import TenantWatchCore

/// Times an on-call engineer types: `30m`, `2h`, `-2h`, `1d`, `90s` (that long before now), or
/// an absolute time in the forms `replay --from` takes. Shared by `since=`, `live --since` and
/// `replay --from`.
public enum RelativeTime {
    /// Seconds in a `30m`-style duration (a leading `-` is allowed and ignored); nil if not one.
    public static func duration(_ text: String) -> Double? {
        var t = Substring(text)
        if t.first == "-" { t = t.dropFirst() }
        guard let unit = t.last, let n = Double(t.dropLast()), n >= 0, n.isFinite else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        case "w": return n * 7 * 86_400
        default: return nil
        }
    }

    /// `text` as a point in time: a duration before `now`, else an absolute time (UTC).
    public static func parse(_ text: String, now: Timestamp) -> Timestamp? {
        if let d = duration(text) { return Timestamp(microseconds: now.microseconds - Int64(d * 1_000_000)) }
        return ReplayWindow.parseTime(text)
    }

    /// The wall clock.
    public static func now() -> Timestamp { Timestamp(seconds: Date().timeIntervalSince1970) }
}
