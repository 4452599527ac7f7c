import TenantWatchCore

/// Small formatting helpers shared by the views.
enum Format {
    /// `12:52:10.382` (UTC) — log time, as the logs write it.
    static func clock(_ t: Timestamp?, millis: Bool = true) -> String {
        guard let t else { return millis ? "--:--:--.---" : "--:--:--" }
        let iso = t.rfc3339 // 2026-11-22T12:52:10.382Z
        let timePart = iso.split(separator: "T").last.map { String($0.dropLast()) } ?? iso
        return millis ? timePart : String(timePart.prefix(8))
    }

    /// `11-22 12:52:10`.
    static func dayClock(_ t: Timestamp?) -> String {
        guard let t else { return "--:--:--" }
        let iso = t.rfc3339
        let parts = iso.split(separator: "T")
        guard parts.count == 2 else { return iso }
        return String(parts[0].dropFirst(5)) + " " + String(parts[1].prefix(8))
    }

    /// An incident seen this recently is `active` (still happening); older is `quiet`.
    static let activeSeconds: Int64 = 120

    /// `12s ago`, `4m ago`, `3h ago`, `2d ago`; `now` for a time at or after now.
    static func ago(_ t: Timestamp?, now: Timestamp) -> String {
        guard let t else { return "-" }
        let s = (now.microseconds - t.microseconds) / 1_000_000
        if s <= 0 { return "now" }
        if s < 60 { return "\(s)s ago" }
        if s < 3600 { return "\(s / 60)m ago" }
        if s < 86_400 { return "\(s / 3600)h ago" }
        return "\(s / 86_400)d ago"
    }

    /// Whether an incident last seen at `t` is still happening.
    static func isActive(_ t: Timestamp?, now: Timestamp) -> Bool {
        guard let t else { return false }
        return now.microseconds - t.microseconds < activeSeconds * 1_000_000
    }

    static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n)B" }
        if n < 1024 * 1024 { return "\(n / 1024)K" }
        if n < 1024 * 1024 * 1024 { return "\(n / (1024 * 1024))M" }
        return "\(n / (1024 * 1024 * 1024))G"
    }

    static func rate(_ r: Double) -> String {
        if r < 1000 { return "\(Int(r.rounded()))" }
        if r < 1_000_000 { return "\(Int((r / 100).rounded()) / 10).\(Int((r / 100).rounded()) % 10)k" }
        return "\(Int((r / 100_000).rounded()) / 10).\(Int((r / 100_000).rounded()) % 10)M"
    }

    static func severity(_ s: Severity) -> String {
        switch s {
        case .critical: return "CRIT"
        case .high: return "HIGH"
        case .medium: return "MED"
        case .low: return "LOW"
        case .info: return "INFO"
        }
    }

    static func state(_ s: IncidentSummary.State) -> String {
        switch s {
        case .open: return "open"
        case .acknowledged: return "ack'd"
        case .resolved: return "resolved"
        }
    }
}

/// A line made of styled segments (detail document, header).
struct Segments {
    var parts: [(String, StyleRole)] = []
    mutating func add(_ s: String, _ role: StyleRole = .text) { parts.append((s, role)) }
    var plain: String { parts.map(\.0).joined() }
    var width: Int { DisplayWidth.of(plain) }

    /// Draws at (x, y) clipped to `limit`; returns the next column.
    @discardableResult
    func draw(into g: inout CellGrid, x: Int, y: Int, limit: Int? = nil) -> Int {
        var col = x
        for (s, role) in parts { col = g.put(s, x: col, y: y, role: role, limit: limit) }
        return col
    }
}

extension Segments {
    /// The line cut into screen lines of at most `width` columns (styles kept), continuation
    /// lines indented: the detail view wraps rather than hiding the end of a long line.
    func wrapped(width: Int, indent: Int = 4) -> [Segments] {
        guard width > indent + 8, self.width > width else { return [self] }
        var out: [Segments] = []
        var current = Segments()
        var used = 0
        for (text, role) in parts {
            var run = ""
            for scalar in text.unicodeScalars {
                let w = DisplayWidth.of(scalar)
                if used + w > width {
                    if !run.isEmpty { current.add(run, role); run = "" }
                    out.append(current)
                    current = Segments()
                    current.add(String(repeating: " ", count: indent), .text)
                    used = indent
                }
                run.unicodeScalars.append(scalar)
                used += w
            }
            if !run.isEmpty { current.add(run, role) }
        }
        out.append(current)
        return out
    }
}
