import TenantWatchModel

/// A leak rule: a small pure function from one analysed statement (and what it knows of its
/// context) to findings. Adding a leak class means adding one file here and its tests.
public protocol StatementDetector: Sendable {
    func inspect(_ statement: AnalyzedStatement) -> [Finding]
}

/// A rule over one audited request (its caller, Host, response). Some need memory across
/// requests (a refresh token seen before), so they may keep state.
public protocol RequestDetector {
    mutating func inspect(_ request: AuditRequest, context: RequestDetectionContext) -> [Finding]
}

/// What request rules may consult besides the request itself.
public struct RequestDetectionContext: Sendable {
    /// Tenants known to exist (config, tokens, confined statements).
    public var knownTenants: TenantRegistry
    /// Whether `[identity] host` is configured: without it a Host means nothing about tenancy.
    public var hostPatternConfigured: Bool
    /// Positions of the statements the request ran, for evidence.
    public var statements: [SourcePosition]
    /// Cache reads this request made of keys another tenant's request wrote.
    public var poisonedReads: [CacheWriterLedger.PoisonedRead]

    public init(knownTenants: TenantRegistry = TenantRegistry(), hostPatternConfigured: Bool = false,
                statements: [SourcePosition] = [], poisonedReads: [CacheWriterLedger.PoisonedRead] = []) {
        self.knownTenants = knownTenants
        self.hostPatternConfigured = hostPatternConfigured
        self.statements = statements
        self.poisonedReads = poisonedReads
    }
}

extension AuditRequest {
    /// Fields every request finding shares.
    func finding(kind: FindingKind, severity: Severity, message: String, accessedTenants: [String] = [],
                 callerTenant: String? = nil, extraEvidence: [SourcePosition] = []) -> Finding {
        var finding = Finding(kind: kind, severity: severity, time: time, message: message, traceID: traceID,
                              requestID: requestID, callerTenant: callerTenant ?? caller.tenant, accessedTenants: accessedTenants,
                              route: route, evidence: [position] + extraEvidence)
        finding.callerVerification = caller.verification.rawValue
        return finding
    }

    /// A 2xx answer: the request succeeded, so whatever it returned reached the caller.
    var succeeded: Bool { status.map { (200..<300).contains($0) } ?? true }
}

extension AnalyzedStatement {
    /// Fields every statement finding shares, so each detector states only what is its own.
    func finding(kind: FindingKind, severity: Severity, message: String,
                 tables: [String], accessedTenants: [String] = []) -> Finding {
        var evidence = [execution.position]
        if let r = request?.position { evidence.append(r) }
        var finding = Finding(kind: kind, severity: severity, time: execution.time, message: message,
                              traceID: request?.traceID ?? tags.traceID, requestID: request?.requestID ?? tags.requestID,
                              callerTenant: callerTenant, accessedTenants: accessedTenants, tables: tables,
                              application: application, route: request?.route ?? tags.route, statement: execution.sql,
                              fingerprint: fingerprint, evidence: evidence)
        finding.callerVerification = request?.caller.verification.rawValue
        if execution.prefixAmbiguous, kind != .logForgery {
            // A guess is labelled as one: the line's prefix read two ways (a forged
            // application_name) and the reading this finding rests on is the likelier one.
            finding.message += " [log line ambiguous: a forged application_name lets it read two ways; confirm in csvlog/jsonlog]"
        }
        return finding
    }
}
