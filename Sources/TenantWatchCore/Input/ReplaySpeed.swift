import TenantWatchModel

/// `--speed N|max`: how many seconds of log time pass per second of wall time.
public enum ReplaySpeed: Equatable, Sendable, CustomStringConvertible {
    case factor(Double)
    /// No pacing at all: as fast as the pipeline goes.
    case max

    /// The slowest and fastest finite speeds `+`/`-` reach.
    public static let range: ClosedRange<Double> = (1.0 / 64)...1_000_000

    /// `max`, `2`, `0.5`, `10x`; nil for anything else (zero, negative, not a number).
    public init?(argument: String) {
        var s = argument.lowercased()
        if s == "max" { self = .max; return }
        if s.hasSuffix("x") { s.removeLast() }
        guard let v = Double(s), v.isFinite, v > 0 else { return nil }
        self = .factor(min(Swift.max(v, ReplaySpeed.range.lowerBound), ReplaySpeed.range.upperBound))
    }

    public var description: String {
        switch self {
        case .max: return "max"
        case .factor(let f):
            return f == f.rounded() ? "\(Int(f))×" : "\(f)×"
        }
    }
}

/// `--from` / `--to`: the slice of log time a replay shows. Both ends are inclusive.
public struct ReplayWindow: Equatable, Sendable {
    public var from: Timestamp?
    public var to: Timestamp?

    public init(from: Timestamp? = nil, to: Timestamp? = nil) {
        self.from = from
        self.to = to
    }

    /// Parses the command-line forms; throws a message naming the bad argument.
    public init(from: String?, to: String?, utcOffsetSeconds: Int64 = 0) throws {
        func parse(_ s: String?, _ flag: String) throws -> Timestamp? {
            guard let s else { return nil }
            guard let t = ReplayWindow.parseTime(s, utcOffsetSeconds: utcOffsetSeconds) else {
                throw ConfigError(file: "command line", key: flag,
                                  message: "\(s): expected RFC 3339 (2026-11-22T12:52:10Z) or YYYY-MM-DD HH:MM:SS")
            }
            return t
        }
        self.from = try parse(from, "--from")
        self.to = try parse(to, "--to")
        if let f = self.from, let t = self.to, t < f {
            throw ConfigError(file: "command line", key: "--to", message: "\(t) is before --from \(f)")
        }
    }

    /// An event without a time (an unparsed line) is always inside: it is counted, never hidden.
    public func contains(_ time: Timestamp?) -> Bool {
        guard let time else { return true }
        if let from, time < from { return false }
        if let to, to < time { return false }
        return true
    }

    /// RFC 3339 (`2026-11-22T12:52:10.382Z`, `...+01:00`), `YYYY-MM-DD HH:MM:SS[.frac][zone]` or
    /// `YYYY-MM-DD`. Without a zone the time is taken at `utcOffsetSeconds` (UTC by default).
    public static func parseTime(_ text: String, utcOffsetSeconds: Int64 = 0) -> Timestamp? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0
        var offset = utcOffsetSeconds
        if i < b.count {
            guard b[i] == 84 || b[i] == 116 || b[i] == 32 else { return nil }   // T t space
            i += 1
            guard let h = digits(2), expect(58), let m = digits(2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if expect(58) {
                guard let s = digits(2), s <= 60 else { return nil }
                second = s
                if i < b.count, b[i] == 46 || b[i] == 44 {
                    i += 1
                    var scale: Int64 = 100_000
                    var any = false
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        micros += Int64(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            if i < b.count, b[i] == 32 { i += 1 }
            if i < b.count {
                if b[i] == 90 || b[i] == 122 {   // Z z
                    offset = 0
                    i += 1
                } else if b[i] == 43 || b[i] == 45 {   // + -
                    let sign: Int64 = b[i] == 45 ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    _ = expect(58)
                    let om = digits(2) ?? 0
                    offset = sign * (oh * 3600 + om * 60)
                } else if text.hasSuffix("UTC") && i + 3 == b.count {
                    offset = 0
                    i += 3
                }
            }
        }
        guard i == b.count else { return nil }
        return Timestamp.from(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                              microsecond: micros, utcOffsetSeconds: offset)
    }
}
