import TenantWatchCore

/// What the lists show: by tenant, kind, minimum severity, source, state, table, application and
/// time. Written and read as `tenant=acme kind=cross_tenant_query severity=high source=audit.log
/// state=open table=invoices app=export-job since=30m`.
public struct Filters: Equatable, Sendable {
    public var tenant: String?
    public var kind: FindingKind?
    /// At or above.
    public var severity: Severity?
    public var source: String?
    public var state: IncidentSummary.State?
    public var table: String?
    public var app: String?
    /// Incidents seen (stream rows logged) at or after this time.
    public var since: Timestamp?
    /// `since` as the user wrote it (`30m`), so the filter line reads back as typed.
    public var sinceText: String?

    public init(tenant: String? = nil, kind: FindingKind? = nil, severity: Severity? = nil, source: String? = nil,
                state: IncidentSummary.State? = nil, table: String? = nil, app: String? = nil,
                since: Timestamp? = nil, sinceText: String? = nil) {
        self.tenant = tenant
        self.kind = kind
        self.severity = severity
        self.source = source
        self.state = state
        self.table = table
        self.app = app
        self.since = since
        self.sinceText = sinceText
    }

    public var isEmpty: Bool {
        tenant == nil && kind == nil && severity == nil && source == nil && state == nil && table == nil && app == nil
            && since == nil
    }

    public var description: String {
        var parts: [String] = []
        if let t = tenant { parts.append("tenant=\(t)") }
        if let k = kind { parts.append("kind=\(k.rawValue)") }
        if let s = severity { parts.append("severity=\(s.rawValue)") }
        if let s = source { parts.append("source=\(s)") }
        if let s = state { parts.append("state=\(s.rawValue)") }
        if let t = table { parts.append("table=\(t)") }
        if let a = app { parts.append("app=\(a)") }
        if let s = since { parts.append("since=\(sinceText ?? s.rfc3339)") }
        return parts.joined(separator: " ")
    }

    public struct ParseError: Error, Equatable { public var message: String }

    static let keys = "tenant, kind, severity, source, state, table, app, since"

    /// `now` anchors a relative `since=30m` (the dashboard passes the wall clock).
    public static func parse(_ text: String, now: Timestamp = RelativeTime.now()) throws -> Filters {
        var f = Filters()
        for word in text.split(separator: " ") {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty else {
                throw ParseError(message: "filter '\(word)': write key=value (\(keys))")
            }
            let value = pair[1]
            switch pair[0] {
            case "tenant": f.tenant = value
            case "kind": f.kind = try kind(value)
            case "severity", "sev":
                guard let s = Severity(rawValue: value) else {
                    throw ParseError(message: "severity is one of info, low, medium, high, critical")
                }
                f.severity = s
            case "source", "src": f.source = value
            case "state":
                let aliases = ["ack": "acknowledged", "acked": "acknowledged", "ack'd": "acknowledged"]
                guard let s = IncidentSummary.State(rawValue: aliases[value] ?? value) else {
                    throw ParseError(message: "state is one of open, acknowledged, resolved")
                }
                f.state = s
            case "table": f.table = value
            case "app", "application": f.app = value
            case "since":
                guard let t = RelativeTime.parse(value, now: now) else {
                    throw ParseError(message: "since: expected 30m, 2h, 1d or a time (2026-11-22T12:52:10Z), got '\(value)'")
                }
                f.since = t
                f.sinceText = value
            default: throw ParseError(message: "unknown filter '\(pair[0])' (\(keys))")
            }
        }
        return f
    }

    /// A kind by its name, or a prefix of exactly one name (the filter line then shows the
    /// whole name). A prefix of several is refused with the kinds it could mean, never taken
    /// silently as the first of them (`kind=cross` names two kinds).
    static func kind(_ value: String) throws -> FindingKind {
        if let k = FindingKind(rawValue: value) { return k }
        let prefixed = FindingKind.allCases.filter { $0.rawValue.hasPrefix(value) }
        if prefixed.count == 1 { return prefixed[0] }
        let candidates = prefixed.isEmpty ? FindingKind.allCases.filter { $0.rawValue.contains(value) } : prefixed
        if candidates.isEmpty { throw ParseError(message: "unknown kind '\(value)'") }
        throw ParseError(message: "kind '\(value)' could be \(candidates.map(\.rawValue).joined(separator: ", ")): write one in full")
    }

    public func matches(_ i: IncidentSummary) -> Bool {
        if let t = tenant, i.caller != t, !i.exposed.contains(t) { return false }
        if let k = kind, !i.kinds.contains(k) { return false }
        if let s = severity, i.severity < s { return false }
        if let s = state, i.state != s { return false }
        if let t = table, !i.tables.contains(t) { return false }
        if let a = app, !i.applications.contains(a) { return false }
        if let s = since, (i.lastSeen ?? i.firstSeen).map({ $0 < s }) ?? true { return false }
        return true
    }

    /// `source` matches a file name or its beginning (`audit` matches `audit.log`). Kind,
    /// severity, state, table and app apply to incidents; a stream row passes them when it
    /// carries a leak flag. `since` compares the row's log time.
    public func matches(_ r: StreamRow) -> Bool {
        if let t = tenant, r.caller != t, !r.tenants.contains(t) { return false }
        if let s = source, !r.source.hasPrefix(s) { return false }
        if (kind != nil || severity != nil || state != nil || table != nil || app != nil) && r.flags.isEmpty { return false }
        if let s = since, r.time.map({ $0 < s }) ?? false { return false }
        return true
    }
}
