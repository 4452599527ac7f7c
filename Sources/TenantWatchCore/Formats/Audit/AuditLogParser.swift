import TenantWatchModel

/// Reads an application audit log: one JSON object a line, fields found by the dotted paths of
/// `[audit]`.
///
/// A missing field is `nil`, never an error. Member names match exactly, else ASCII
/// case-insensitively (`headers.authorization` finds `Headers.Authorization`): HTTP header
/// names are case-insensitive and loggers keep whatever case the client sent. A line that is not
/// a JSON object (bad JSON, nested deeper than `maximumDepth`, a bare array) becomes `.unparsed`
/// with its position and the stream goes on. Blank lines are skipped.
public struct AuditLogParser: LogParser {
    /// Audit times are written in milliseconds (RFC 3339 `...08.638Z`), one line per request.
    public var mergeOrder: MergeOrder { MergeOrder(precision: 1000) }

    public let file: String
    public let audit: Configuration.Audit
    public var identity: IdentityResolver
    public var maximumDepth = JSONParser.defaultMaximumDepth
    /// `[audit] search_body` / `search_index`: a search logged with the request (see `AuditSearchPaths`).
    public var searchPaths = AuditSearchPaths.none

    /// Lines turned into `.unparsed`.
    public private(set) var unparsedLines = 0
    /// Lines turned into `.request`.
    public private(set) var requests = 0
    /// Lines whose time field was present but unreadable (the event has `time == nil`).
    public private(set) var unreadableTimes = 0
    /// Malformed tokens seen (from the identity resolver).
    public var malformedTokens: Int { identity.malformedTokens }

    /// The configured paths, cut at their dots once (cutting a String per field per line cost
    /// more than parsing the line's JSON), one stored field each: looking them up by path in a
    /// dictionary hashed a String per field per line. Empty: not configured.
    private struct Paths {
        var time: [String], requestID: [String], trace: [String], token: [String], callerTenant: [String]
        var host: [String], responseTenants: [String], route: [String], refreshToken: [String]
        var status: [String], refreshTokenIssued: [String]

        init(_ a: Configuration.Audit) {
            func cut(_ path: String) -> [String] { path.isEmpty ? [] : JSONValue.segments(of: path) }
            time = cut(a.time); requestID = cut(a.requestID); trace = cut(a.trace); token = cut(a.token)
            callerTenant = cut(a.callerTenant); host = cut(a.host); responseTenants = cut(a.responseTenants)
            route = cut(a.route); refreshToken = cut(a.refreshToken); status = cut(a.status)
            refreshTokenIssued = cut(a.refreshTokenIssued)
        }
    }
    private let paths: Paths

    public init(file: String, audit: Configuration.Audit, identity: IdentityResolver) {
        self.file = file
        self.audit = audit
        self.identity = identity
        self.paths = Paths(audit)
    }

    /// Reads tokens without verifying them when no key is configured; with keys, pass a resolver
    /// built with `JWTKeySet.load`.
    public init(file: String, configuration: Configuration, keys: JWTKeySet = .none) {
        self.init(file: file, audit: configuration.audit,
                  identity: IdentityResolver(identity: configuration.identity, keys: keys))
        self.searchPaths = AuditSearchPaths(configuration.auditSearch)
    }

    public mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        var blank = true
        for c in line where !(c == 0x20 || c == 0x09 || c == 0x0D) { blank = false; break }
        if blank { return }
        let position = SourcePosition(file: file, line: lineNumber)
        let root: JSONValue
        do {
            root = try JSONParser.parse(line, maximumDepth: maximumDepth)
        } catch {
            unparsedLines += 1
            events.append(.unparsed(UnparsedLine(position: position, reason: "not JSON: \(error.description)")))
            return
        }
        guard case .object = root else {
            unparsedLines += 1
            events.append(.unparsed(UnparsedLine(position: position, reason: "not a JSON object")))
            return
        }
        requests += 1
        let r = request(from: root, position: position)
        events.append(.request(r))
        if !searchPaths.isEmpty, let search = searchPaths.query(from: root, request: r) { events.append(.searchQuery(search)) }
    }

    public mutating func finish(into events: inout [Event]) {}

    /// Builds the request of one parsed line.
    public mutating func request(from root: JSONValue, position: SourcePosition) -> AuditRequest {
        let paths = self.paths
        func field(_ segments: [String]) -> JSONValue? {
            segments.isEmpty ? nil : root.value(atSegments: segments)
        }
        func text(_ segments: [String]) -> String? {
            guard let s = field(segments)?.scalarText, !s.isEmpty else { return nil }
            return s
        }

        var time: Timestamp?
        if let t = field(paths.time) {
            time = AuditTimestamp.parse(t)
            if time == nil { unreadableTimes += 1 }
        }
        var r = AuditRequest(position: position, time: time)
        r.requestID = text(paths.requestID)
        r.traceID = text(paths.trace).flatMap(TraceContext.traceID(from:))
        r.route = text(paths.route)
        if let h = text(paths.host), let host = HostPattern.normalize(host: h) {
            r.host = host
            r.hostTenant = identity.hostPattern?.tenant(forNormalizedHost: host)
        }
        if let token = text(paths.token) {
            r.caller = identity.resolve(token: token, at: time)
        }
        if let tenant = text(paths.callerTenant) {
            // The application says who the caller was: that is the tenant it acted for. Whatever
            // the token said stays in claimedTenant and its verification.
            r.caller.tenant = tenant
            if r.caller.claimedTenant == nil { r.caller.claimedTenant = tenant }
            r.caller.source = .field
        }
        let response = field(paths.responseTenants)
        r.responseTenants = AuditLogParser.tenants(response)
        if let response, response != .null { r.responseTenantsLogged = true }
        if let s = field(paths.status) {
            switch s {
            case .number(let n): r.status = Int(n)
            case .string(let n): r.status = Int(n.trimmingASCIIWhitespace())
            default: break
            }
        }
        r.refreshToken = text(paths.refreshToken)
        r.issuedRefreshToken = text(paths.refreshTokenIssued)
        return r
    }

    /// An array of strings/numbers, or a single string/number; numbers as their decimal text.
    static func tenants(_ v: JSONValue?) -> [String] {
        switch v {
        case .array(let elements)?:
            return elements.compactMap { e in
                switch e {
                case .string(let s): return s.isEmpty ? nil : s
                case .number(let n): return n
                default: return nil
                }
            }
        case .string(let s)?: return s.isEmpty ? [] : [s]
        case .number(let n)?: return [n]
        default: return []
        }
    }
}
