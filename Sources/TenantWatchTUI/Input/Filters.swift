import TenantWatchCore

/// What the lists show: by tenant, kind, minimum severity and source. Written and read as
/// `tenant=acme kind=cross_tenant_query severity=high source=audit.log`.
public struct Filters: Equatable, Sendable {
    public var tenant: String?
    public var kind: FindingKind?
    /// At or above.
    public var severity: Severity?
    public var source: String?

    public init(tenant: String? = nil, kind: FindingKind? = nil, severity: Severity? = nil, source: String? = nil) {
        self.tenant = tenant
        self.kind = kind
        self.severity = severity
        self.source = source
    }

    public var isEmpty: Bool { tenant == nil && kind == nil && severity == nil && source == nil }

    public var description: String {
        var parts: [String] = []
        if let t = tenant { parts.append("tenant=\(t)") }
        if let k = kind { parts.append("kind=\(k.rawValue)") }
        if let s = severity { parts.append("severity=\(s.rawValue)") }
        if let s = source { parts.append("source=\(s)") }
        return parts.joined(separator: " ")
    }

    public struct ParseError: Error, Equatable { public var message: String }

    public static func parse(_ text: String) throws -> Filters {
        var f = Filters()
        for word in text.split(separator: " ") {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty else {
                throw ParseError(message: "filter '\(word)': write key=value (tenant, kind, severity, source)")
            }
            switch pair[0] {
            case "tenant": f.tenant = pair[1]
            case "kind":
                guard let k = FindingKind(rawValue: pair[1]) ?? FindingKind.allCases.first(where: { $0.rawValue.hasPrefix(pair[1]) }) else {
                    throw ParseError(message: "unknown kind '\(pair[1])'")
                }
                f.kind = k
            case "severity", "sev":
                guard let s = Severity(rawValue: pair[1]) else {
                    throw ParseError(message: "severity is one of info, low, medium, high, critical")
                }
                f.severity = s
            case "source", "src": f.source = pair[1]
            default: throw ParseError(message: "unknown filter '\(pair[0])' (tenant, kind, severity, source)")
            }
        }
        return f
    }

    public func matches(_ i: IncidentSummary) -> Bool {
        if let t = tenant, i.caller != t, !i.exposed.contains(t) { return false }
        if let k = kind, !i.kinds.contains(k) { return false }
        if let s = severity, i.severity < s { return false }
        return true
    }

    /// `source` matches a file name or its beginning (`audit` matches `audit.log`). Kind and severity apply to incidents; a stream row passes them when it carries a leak flag.
    public func matches(_ r: StreamRow) -> Bool {
        if let t = tenant, r.caller != t, !r.tenants.contains(t) { return false }
        if let s = source, !r.source.hasPrefix(s) { return false }
        if (kind != nil || severity != nil) && r.flags.isEmpty { return false }
        return true
    }
}
