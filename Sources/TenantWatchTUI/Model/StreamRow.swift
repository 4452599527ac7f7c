import Foundation
import TenantWatchCore

/// One line of the live stream. Built by the pipeline as events arrive; the flags come from the
/// detectors' findings for that event (the TUI only shows them).
public struct StreamRow: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case statement = "SQL", audit = "AUD", request = "REQ", cache = "KV", session = "END", unparsed = "???"
        /// A search an Elasticsearch/OpenSearch slow log (or an audit line) shows.
        case search = "ES"
    }

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Some finding points at this event.
        public static let leak = Flags(rawValue: 1)
        /// A statement lacking a tenant predicate (missing_tenant_predicate, unscoped_cache_key).
        public static let unscoped = Flags(rawValue: 2)
        /// A response or statement whose tenant differs from the caller's.
        public static let crossTenant = Flags(rawValue: 4)
        /// A guess (`suspected_cross_tenant_response`): shown as one, never as a leak.
        public static let suspected = Flags(rawValue: 8)

        /// The flags a set of findings for one event implies.
        public init(findings: [Finding]) {
            var f: Flags = []
            for finding in findings {
                if finding.kind == .suspectedCrossTenantResponse { f.insert(.suspected); continue }
                // Staff access with a verified privilege is an access record, never marked as a leak.
                if finding.kind == .privilegedAccess { continue }
                f.insert(.leak)
                switch finding.kind {
                case .missingTenantPredicate, .unscopedCacheKey, .unconfinedChildAccess, .unscopedSearch: f.insert(.unscoped)
                case .crossTenantQuery, .crossTenantResponse, .tenantContextMismatch, .tokenHostMismatch, .crossTenantSearch:
                    f.insert(.crossTenant)
                default: break
                }
            }
            self = f
        }
    }

    /// Monotonic number given by the pipeline; the paused stream is anchored on it.
    public var sequence: UInt64
    public var time: Timestamp?
    /// `file:line`, file as its last path component.
    public var source: String
    public var line: Int
    public var kind: Kind
    /// Sanitized, one line.
    public var text: String
    public var flags: Flags
    public var caller: String?
    public var tenants: [String]
    /// The incident of the first finding it raised, when known as the row is made (replay
    /// without a store, tests); else `findingKey` finds it through the snapshot.
    public var incident: String?
    /// `FindingAggregator.dedupKey` of the first finding it raised: Enter on the row asks the
    /// host (`DashboardSnapshot.incidentOfFinding`) which incident that finding went to.
    public var findingKey: String?

    public init(sequence: UInt64, time: Timestamp?, source: String, line: Int, kind: Kind, text: String,
                flags: Flags = [], caller: String? = nil, tenants: [String] = [], incident: String? = nil,
                findingKey: String? = nil) {
        self.sequence = sequence
        self.incident = incident
        self.findingKey = findingKey
        self.time = time
        self.source = source
        self.line = line
        self.kind = kind
        self.text = StreamRow.bounded(text)
        self.flags = flags
        self.caller = caller.map(TextSanitizer.oneLine)
        self.tenants = tenants.map(TextSanitizer.oneLine)
    }

    /// A row for an event. `findings` are those the detectors raised for it (or empty).
    public init(sequence: UInt64, event: Event, findings: [Finding] = []) {
        let p = event.position
        let file = p.file.split(separator: "/").last.map(String.init) ?? p.file
        var caller: String? = findings.first?.callerTenant
        var tenants = Array(Set(findings.flatMap(\.accessedTenants))).sorted()
        let kind: Kind
        let text: String
        switch event {
        case .statement(let s):
            kind = .statement
            text = StreamRow.compactSQL(s.sql) + (s.parameters.isEmpty ? "" :
                " [" + s.parameters.map { $0 ?? "NULL" }.joined(separator: ", ") + "]")
        case .pgAudit(let a):
            kind = .audit
            text = "\(a.auditClass) \(a.command) \(a.objectName ?? "") " + StreamRow.compactSQL(a.statement)
        case .request(let r):
            kind = .request
            caller = caller ?? r.caller.tenant ?? r.caller.claimedTenant
            if tenants.isEmpty { tenants = r.responseTenants }
            var t = "\(r.status.map(String.init) ?? "-") \(r.host ?? "-") \(r.route ?? "-")"
            t += " caller=\(caller ?? "?")"
            if !r.responseTenants.isEmpty { t += " → " + r.responseTenants.joined(separator: ",") }
            text = t
        case .backendEnded(let b, _, _):
            kind = .session
            text = "backend \(b) ended"
        case .cacheCommand(let c):
            kind = .cache
            text = ([c.command] + c.displayKeys).joined(separator: " ") + " (\(c.client))"
        case .searchQuery(let q):
            kind = .search
            text = q.indices.joined(separator: ",") + " " + StreamRow.compactSQL(q.body)
        case .unparsed(let u):
            kind = .unparsed
            text = u.reason
        }
        self.init(sequence: sequence, time: event.time, source: file, line: p.line, kind: kind, text: text,
                  flags: Flags(findings: findings), caller: caller, tenants: tenants,
                  incident: findings.lazy.compactMap(\.incident).first,
                  findingKey: findings.first.map(FindingAggregator.dedupKey(for:)))
    }

    /// Scalars a row's text keeps. A row is one screen line; the ring holds 20,000 of them, and
    /// a hostile stream of 4 MB statements would otherwise keep 80 GB.
    public static let maximumTextLength = 2048

    /// One line, sanitized, cut (with `…`) after `maximumTextLength` scalars.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumTextLength else { return TextSanitizer.oneLine(text) }
        let head = text.unicodeScalars.prefix(maximumTextLength)
        guard head.endIndex < text.unicodeScalars.endIndex else { return TextSanitizer.oneLine(text) }
        return TextSanitizer.oneLine(String(String.UnicodeScalarView(head))) + "…"
    }

    /// SQL on one line: whitespace collapsed, the trailing sqlcommenter comment dropped.
    public static func compactSQL(_ sql: String) -> String {
        // Only the head of a huge statement can be shown: the rest is not even sanitized.
        let shown = sql.utf8.count > 4 * maximumTextLength
            ? String(String.UnicodeScalarView(sql.unicodeScalars.prefix(2 * maximumTextLength))) : sql
        var s = TextSanitizer.oneLine(shown)
        if s.hasSuffix("*/"), let open = s.range(of: "/*", options: .backwards) {
            s = String(s[..<open.lowerBound])
        }
        while s.hasSuffix(" ") || s.hasSuffix(";") { s.removeLast() }
        while s.hasPrefix(" ") { s.removeFirst() }
        return s
    }
}

extension StreamRow {
    /// Puts a row where its log time says, searching back from the end (rows arrive nearly in
    /// order: only sources that interleave move one), so the stream reads in log-time order as
    /// README promises. A row without a time goes last; rows of equal time keep reading order.
    public static func insert(_ row: StreamRow, inLogTimeOrder rows: inout [StreamRow]) {
        guard let t = row.time else { rows.append(row); return }
        var i = rows.count
        while i > 0, let previous = rows[i - 1].time, t < previous { i -= 1 }
        rows.insert(row, at: i)
    }
}
