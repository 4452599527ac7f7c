import Foundation
import TenantWatchModel

/// An incident as one customer tenant may see it: every string masked, cut and pseudonymised by
/// a `RowDataFilter`. `incident.json`, the timeline, the reports and `art33.json` are all made
/// from this view, never from the stored incident, so nothing can bypass the filter.
public struct BundleContent: Sendable {
    public struct Request: Sendable, Equatable {
        public var requestID: String?
        public var traceID: String?
        public var route: String?
    }
    public struct Statement: Sendable, Equatable {
        public var text: String
        public var fingerprint: String?
        public var application: String?
        public var rowDataCut: Bool
    }
    public struct FindingView: Sendable {
        public var kind: FindingKind
        public var severity: Severity
        public var firstSeen: Timestamp?
        public var lastSeen: Timestamp?
        public var count: Int
        public var message: String
        public var callerTenant: String?
        public var accessedTenants: [String]
        public var tables: [String]
        public var route: String?
        public var cacheKey: String?
        public var requestID: String?
        public var evidence: [SourcePosition]
    }
    public struct Event: Sendable {
        public var kind: TimelineEntry.Kind
        public var time: Timestamp?
        /// The source's name in the bundle (its file under `evidence/`).
        public var source: String?
        public var line: Int?
        public var endLine: Int?
        public var summary: String
        public var raw: String?
        public var bindValues: [String?]
        public var rowDataCut: Bool
    }
    public struct Note: Sendable {
        public var time: Timestamp
        public var author: String
        public var text: String
    }

    public var incidentID: String
    public var forTenant: String
    public var title: String
    public var kinds: [FindingKind]
    public var severity: Severity
    public var state: IncidentState
    public var callerTenant: String?
    public var exposedTenants: [String]
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    public var findingCount: Int
    public var occurrences: Int
    public var requests: [Request]
    public var statements: [Statement]
    public var tables: [String]
    public var applications: [String]
    public var cacheKeys: [String]
    /// Items in the responses of the affected requests (`response.items`/`count`/`rows` of the
    /// audit lines), nil when the logs do not say.
    public var objectsInAffectedResponses: Int?
    public var findings: [FindingView]
    public var events: [Event]
    public var notes: [Note]

    /// The customer tenant is the caller or an exposed tenant of the incident.
    public static func concerned(_ i: StoredIncident) -> [String] {
        var out: [String] = []
        if let c = i.callerTenant, !c.isEmpty { out.append(c) }
        var seen = Set(out)   // one response can name tens of thousands of tenants
        for t in i.exposedTenants where !t.isEmpty && seen.insert(t).inserted { out.append(t) }
        return out
    }

    /// `sourceName` maps a source path to its name in the bundle.
    public init(_ d: IncidentDetail, forTenant: String, filter f: RowDataFilter, sourceName: (String) -> String) {
        let i = d.incident
        let p = f.pseudonymizer
        incidentID = i.id
        self.forTenant = forTenant
        title = f.text(i.title)
        kinds = i.kinds
        severity = i.severity
        state = i.state
        callerTenant = i.callerTenant.map(p.apply)
        exposedTenants = i.exposedTenants.map(p.apply)
        firstSeen = i.firstSeen
        lastSeen = i.lastSeen
        findingCount = i.findingCount
        occurrences = i.occurrences

        var requests: [Request] = []
        var statements: [Statement] = []
        var tables: [String] = []
        var apps: [String] = []
        var keys: [String] = []
        func add(_ s: String?, to list: inout [String]) { if let s, !s.isEmpty, !list.contains(s) { list.append(s) } }
        for x in d.findings {
            if x.requestID != nil || x.traceID != nil {
                let r = Request(requestID: f.text(x.requestID), traceID: f.text(x.traceID), route: f.text(x.route))
                if !requests.contains(r) { requests.append(r) }
            }
            if let sql = x.statement {
                let (text, cut) = f.sql(sql)
                if !statements.contains(where: { $0.text == text && $0.fingerprint == x.fingerprint }) {
                    statements.append(Statement(text: text, fingerprint: x.fingerprint, application: f.text(x.application), rowDataCut: cut))
                }
            }
            for t in x.tables { add(p.apply(t), to: &tables) }
            add(f.text(x.application), to: &apps)
            add(f.text(x.cacheKey), to: &keys)
        }
        self.requests = requests
        self.statements = statements
        self.tables = tables
        applications = apps
        cacheKeys = keys

        findings = d.findings.map { x in
            FindingView(kind: x.kind, severity: x.severity, firstSeen: x.time, lastSeen: x.lastSeen, count: x.count,
                        message: f.text(x.message), callerTenant: x.callerTenant.map(p.apply),
                        accessedTenants: x.accessedTenants.map(p.apply), tables: x.tables.map(p.apply),
                        route: f.text(x.route), cacheKey: f.text(x.cacheKey), requestID: f.text(x.requestID),
                        evidence: x.evidence.map { SourcePosition(file: sourceName($0.file), line: $0.line, endLine: $0.endLine) })
        }

        var objects: Int?
        events = d.timeline.map { e in
            var raw: String?
            var cut = false
            if let r = e.raw {
                if e.kind == .statement && !RowDataFilter.looksLikeLogLine(r) {
                    (raw, cut) = f.sql(r)
                } else {
                    let (lines, n) = f.record(r.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
                    raw = lines.joined(separator: "\n")
                    cut = n > 0
                }
                if e.kind == .response, let n = BundleContent.responseItems(r) { objects = (objects ?? 0) + n }
            }
            let binds = f.bindValues(e.bindValues, cut: cut || (e.raw.map(p.mentionsOther) ?? false))
            return Event(kind: e.kind, time: e.time, source: e.position.map { sourceName($0.file) },
                         line: e.position?.line, endLine: e.position?.endLine, summary: f.text(e.summary),
                         raw: raw, bindValues: binds, rowDataCut: cut)
        }
        objectsInAffectedResponses = objects
        // Only what was written for the customer: internal notes (names, guesses) stay in the store.
        notes = d.notes.filter { $0.visibility == .customer }.map { Note(time: $0.time, author: f.text($0.author), text: f.text($0.text)) }
    }

    /// The number of items an audit line's response says it carried.
    static func responseItems(_ line: String) -> Int? {
        guard let data = line.data(using: .utf8),
              let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let response = o["response"] as? [String: Any] else { return nil }
        for k in ["items", "count", "rows", "total", "objects"] {
            if let n = response[k] as? NSNumber { return n.intValue }
        }
        return nil
    }

    /// Distinct requests, or (when the findings name none) nil.
    public var requestCount: Int { requests.count }
}

extension RowDataFilter {
    /// Whether stored raw text is a log line (a JSON line, a Redis MONITOR line, a PostgreSQL
    /// line with a timestamp) rather than bare SQL.
    static func looksLikeLogLine(_ s: String) -> Bool {
        if s.hasPrefix("{") || redisParts(s) != nil { return true }
        guard let first = s.first, first.isNumber else { return false }
        return s.prefix(4).allSatisfy(\.isNumber)
    }
}
