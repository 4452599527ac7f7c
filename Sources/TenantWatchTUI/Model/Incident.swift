import TenantWatchCore

/// One line of the incidents list.
public struct IncidentSummary: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case open, acknowledged, resolved }

    public var id: String
    public var severity: Severity
    public var kinds: [FindingKind]
    public var caller: String?
    public var exposed: [String]
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    public var count: Int
    public var state: State
    /// Tables, applications and routes its findings name: the `table=`/`app=` filters and the
    /// wide layout's WHERE column read them.
    public var tables: [String]
    public var applications: [String]
    public var routes: [String]
    /// Every evidence field of its findings (request and trace ids, cache keys, tables,
    /// applications, routes, statement text), one per line: what `/` searches besides the row.
    public var evidence: String

    public init(id: String, severity: Severity, kinds: [FindingKind], caller: String?, exposed: [String],
                firstSeen: Timestamp?, lastSeen: Timestamp?, count: Int, state: State = .open,
                tables: [String] = [], applications: [String] = [], routes: [String] = [], evidence: String = "") {
        self.id = id
        self.tables = tables.map(TextSanitizer.oneLine)
        self.applications = applications.map(TextSanitizer.oneLine)
        self.routes = routes.map(TextSanitizer.oneLine)
        self.evidence = evidence
        self.severity = severity
        self.kinds = kinds
        self.caller = caller.map(TextSanitizer.oneLine)
        self.exposed = exposed.map(TextSanitizer.oneLine)
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.state = state
    }

    /// Folds findings (each with its `incident` id) into incidents, newest activity first.
    /// `states` holds what the store knows (acknowledged, resolved); the rest are open.
    public static func from(findings: [Finding], states: [String: State] = [:]) -> [IncidentSummary] {
        var byID: [String: IncidentSummary] = [:]
        var order: [String] = []
        for f in findings {
            let id = f.incident ?? "-"
            if var s = byID[id] {
                s.severity = max(s.severity, f.severity)
                if !s.kinds.contains(f.kind) { s.kinds.append(f.kind) }
                if s.caller == nil { s.caller = f.callerTenant.map(TextSanitizer.oneLine) }
                var seen = Set(s.exposed)   // one response can name tens of thousands of tenants
                for t in f.accessedTenants.map(TextSanitizer.oneLine) where seen.insert(t).inserted { s.exposed.append(t) }
                if let t = f.time, s.firstSeen.map({ t < $0 }) ?? true { s.firstSeen = t }
                if let t = f.lastSeen ?? f.time, s.lastSeen.map({ t > $0 }) ?? true { s.lastSeen = t }
                s.count += f.count
                s.absorbEvidence(of: f)
                byID[id] = s
            } else {
                order.append(id)
                var s = IncidentSummary(id: id, severity: f.severity, kinds: [f.kind], caller: f.callerTenant,
                                        exposed: f.accessedTenants, firstSeen: f.time, lastSeen: f.lastSeen ?? f.time,
                                        count: f.count, state: states[id] ?? .open)
                s.absorbEvidence(of: f)
                byID[id] = s
            }
        }
        return order.compactMap { byID[$0] }.sorted { a, b in
            (a.lastSeen?.microseconds ?? .min) > (b.lastSeen?.microseconds ?? .min)
        }
    }
}

extension IncidentSummary {
    /// Bytes of evidence text kept per incident for search: a statement is searched by its
    /// head, and 50k incidents stay within ~100 MB even when every one holds a long statement.
    public static let evidenceCap = 2048

    /// Adds a finding's tables, application, route and searchable fields.
    public mutating func absorbEvidence(of f: Finding) {
        absorbEvidence(tables: f.tables, application: f.application, route: f.route,
                       fields: [f.requestID, f.traceID, f.cacheKey, f.statement, f.message])
    }

    /// The same from loose fields (the store's rows).
    public mutating func absorbEvidence(tables: [String], application: String?, route: String?, fields: [String?]) {
        for t in tables.map(TextSanitizer.oneLine) where !self.tables.contains(t) { self.tables.append(t) }
        if let a = application.map(TextSanitizer.oneLine), !applications.contains(a) { applications.append(a) }
        if let r = route.map(TextSanitizer.oneLine), !routes.contains(r) { routes.append(r) }
        for text in (tables + [application, route] + fields).compactMap({ $0 }) where evidence.utf8.count < IncidentSummary.evidenceCap {
            let line = TextSanitizer.oneLine(text)
            if line.isEmpty || evidence.contains(line) { continue }
            evidence += (evidence.isEmpty ? "" : "\n") + line
        }
    }
}

/// What the detail screen shows for one incident.
public struct IncidentDetail: Sendable, Equatable {
    public struct TimelineEntry: Sendable, Equatable {
        public var time: Timestamp?
        public var source: String
        public var line: Int
        public var kind: String
        public var summary: String
        public init(time: Timestamp?, source: String, line: Int, kind: String, summary: String) {
            self.time = time
            self.source = source
            self.line = line
            self.kind = TextSanitizer.oneLine(kind)
            self.summary = TextSanitizer.oneLine(TokenMasker.shared.applyCredentials(summary))
        }
    }

    public var summary: IncidentSummary
    public var timeline: [TimelineEntry]
    /// Pretty-printed statement (lines separated by "\n", each already sanitized).
    public var statement: String?
    /// Ranges in `statement`, in Unicode scalar offsets, to highlight (unscoped table, wrong tenant).
    public var highlights: [Range<Int>]
    /// Ranges in `statement` (Unicode scalar offsets) of its SQL keywords, from PostgreSQL's lexer.
    public var keywords: [Range<Int>]
    public var maskedToken: String?
    public var tokenClaims: [(String, String)]
    public var host: String?
    public var route: String?
    public var application: String?
    public var message: String?
    public var notes: [DetailNote]

    public init(summary: IncidentSummary, timeline: [TimelineEntry] = [], statement: String? = nil,
                highlightTerms: [String] = [], maskedToken: String? = nil, tokenClaims: [(String, String)] = [],
                host: String? = nil, route: String? = nil, application: String? = nil, message: String? = nil,
                notes: [DetailNote] = []) {
        self.summary = summary
        self.timeline = timeline
        // Credentials are masked wherever they are shown (a statement can carry one in a literal).
        let pretty = statement.map { SQLPrettyPrinter.format(TokenMasker.shared.applyCredentials($0)) }
        self.statement = pretty
        self.highlights = pretty.map { SQLPrettyPrinter.ranges(of: highlightTerms, in: $0) } ?? []
        self.keywords = pretty.map(SQLKeywordRanges.of) ?? []
        self.maskedToken = maskedToken.map(TextSanitizer.oneLine)
        self.tokenClaims = tokenClaims.map { (TextSanitizer.oneLine($0.0), TextSanitizer.oneLine($0.1)) }
        self.host = host.map(TextSanitizer.oneLine)
        self.route = route.map(TextSanitizer.oneLine)
        self.application = application.map(TextSanitizer.oneLine)
        self.message = message.map { TextSanitizer.oneLine(TokenMasker.shared.applyCredentials($0)) }
        self.notes = notes
    }

    /// The detail of an incident from its findings (all with the same `incident` id) and, when the
    /// pipeline kept it, the request that caused it (token, host, route).
    public init(findings: [Finding], request: AuditRequest? = nil, state: IncidentSummary.State = .open,
                notes: [DetailNote] = []) {
        let summary = IncidentSummary.from(findings: findings, states: findings.first?.incident.map { [$0: state] } ?? [:]).first
            ?? IncidentSummary(id: "-", severity: .info, kinds: [], caller: nil, exposed: [], firstSeen: nil, lastSeen: nil, count: 0)
        var timeline: [TimelineEntry] = []
        for f in findings {
            for p in f.evidence {
                timeline.append(TimelineEntry(time: f.time, source: p.file.split(separator: "/").last.map(String.init) ?? p.file,
                                              line: p.line, kind: f.kind.rawValue, summary: f.message))
            }
            if f.evidence.isEmpty {
                timeline.append(TimelineEntry(time: f.time, source: "-", line: 0, kind: f.kind.rawValue, summary: f.message))
            }
        }
        timeline.sort { ($0.time?.microseconds ?? .min, $0.line) < ($1.time?.microseconds ?? .min, $1.line) }
        let withStatement = findings.first { $0.statement != nil }
        var terms: [String] = []
        if let f = withStatement {
            switch f.kind {
            case .missingTenantPredicate: terms = f.tables
            default:
                terms = f.accessedTenants.filter { $0 != f.callerTenant }
                if terms.isEmpty { terms = f.tables }
            }
        }
        var claims: [(String, String)] = []
        if let c = request?.caller {
            if let t = c.claimedTenant { claims.append(("tenant", t)) }
            if let s = c.subject { claims.append(("sub", s)) }
            if let s = c.sessionID { claims.append(("sid", s)) }
            if let a = c.algorithm { claims.append(("alg", a)) }
            claims.append(("verification", c.verification.rawValue + (c.reason.map { " (\($0))" } ?? "")))
        }
        self.init(summary: summary, timeline: timeline, statement: withStatement?.statement, highlightTerms: terms,
                  maskedToken: request?.caller.maskedToken, tokenClaims: claims,
                  host: request?.host, route: request?.route ?? findings.first { $0.route != nil }?.route,
                  application: findings.first { $0.application != nil }?.application,
                  message: findings.first?.message, notes: notes)
    }

    public static func == (a: IncidentDetail, b: IncidentDetail) -> Bool {
        a.summary == b.summary && a.timeline == b.timeline && a.statement == b.statement && a.highlights == b.highlights
            && a.maskedToken == b.maskedToken && a.tokenClaims.map(\.0) == b.tokenClaims.map(\.0)
            && a.tokenClaims.map(\.1) == b.tokenClaims.map(\.1) && a.host == b.host && a.route == b.route
            && a.notes == b.notes && a.message == b.message && a.application == b.application
    }
}
