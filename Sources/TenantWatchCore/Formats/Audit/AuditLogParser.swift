/// Reads an application audit log: one JSON object a line, fields found by the dotted paths of
/// `[audit]`.
///
/// A missing field is `nil`, never an error. Member names match exactly, else ASCII
/// case-insensitively (`headers.authorization` finds `Headers.Authorization`): HTTP header
/// names are case-insensitive and loggers keep whatever case the client sent. A line that is not
/// a JSON object (bad JSON, nested deeper than `maximumDepth`, a bare array) becomes `.unparsed`
/// with its position and the stream goes on. Blank lines are skipped.
public struct AuditLogParser: LogParser {
    public let file: String
    public let audit: Configuration.Audit
    public var identity: IdentityResolver
    public var maximumDepth = JSONParser.defaultMaximumDepth

    /// Lines turned into `.unparsed`.
    public private(set) var unparsedLines = 0
    /// Lines turned into `.request`.
    public private(set) var requests = 0
    /// Lines whose time field was present but unreadable (the event has `time == nil`).
    public private(set) var unreadableTimes = 0
    /// Malformed tokens seen (from the identity resolver).
    public var malformedTokens: Int { identity.malformedTokens }

    /// The configured paths, cut at their dots once (cutting a String per field per line cost
    /// more than parsing the line's JSON).
    private let segments: [String: [String]]

    public init(file: String, audit: Configuration.Audit, identity: IdentityResolver) {
        self.file = file
        self.audit = audit
        self.identity = identity
        var segments: [String: [String]] = [:]
        for path in [audit.time, audit.requestID, audit.trace, audit.token, audit.callerTenant, audit.host,
                     audit.responseTenants, audit.route, audit.refreshToken, audit.status, audit.refreshTokenIssued]
            where !path.isEmpty {
            segments[path] = JSONValue.segments(of: path)
        }
        self.segments = segments
    }

    /// Reads tokens without verifying them when no key is configured; with keys, pass a resolver
    /// built with `JWTKeySet.load`.
    public init(file: String, configuration: Configuration, keys: JWTKeySet = .none) {
        self.init(file: file, audit: configuration.audit,
                  identity: IdentityResolver(identity: configuration.identity, keys: keys))
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
        events.append(.request(request(from: root, position: position)))
    }

    public mutating func finish(into events: inout [Event]) {}

    /// Builds the request of one parsed line.
    public mutating func request(from root: JSONValue, position: SourcePosition) -> AuditRequest {
        func field(_ path: String) -> JSONValue? {
            if path.isEmpty { return nil }
            if let cut = segments[path] { return root.value(atSegments: cut) }
            return root.value(atPath: path)
        }
        func text(_ path: String) -> String? {
            guard let s = field(path)?.scalarText, !s.isEmpty else { return nil }
            return s
        }

        var time: Timestamp?
        if let t = field(audit.time) {
            time = AuditTimestamp.parse(t)
            if time == nil { unreadableTimes += 1 }
        }
        var r = AuditRequest(position: position, time: time)
        r.requestID = text(audit.requestID)
        r.traceID = text(audit.trace).flatMap(TraceContext.traceID(from:))
        r.route = text(audit.route)
        if let h = text(audit.host), let host = HostPattern.normalize(host: h) {
            r.host = host
            r.hostTenant = identity.hostPattern?.tenant(forNormalizedHost: host)
        }
        if let token = text(audit.token) {
            r.caller = identity.resolve(token: token, at: time)
        }
        if let tenant = text(audit.callerTenant) {
            // The application says who the caller was: that is the tenant it acted for. Whatever
            // the token said stays in claimedTenant and its verification.
            r.caller.tenant = tenant
            if r.caller.claimedTenant == nil { r.caller.claimedTenant = tenant }
            r.caller.source = .field
        }
        r.responseTenants = AuditLogParser.tenants(field(audit.responseTenants))
        if let s = field(audit.status) {
            switch s {
            case .number(let n): r.status = Int(n)
            case .string(let n): r.status = Int(n.trimmingASCIIWhitespace())
            default: break
            }
        }
        r.refreshToken = text(audit.refreshToken)
        r.issuedRefreshToken = text(audit.refreshTokenIssued)
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
