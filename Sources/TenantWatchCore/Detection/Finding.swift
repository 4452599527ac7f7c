import TenantWatchModel

/// What a detector reports: one leak path, with the evidence that proves it.
///
/// Field names follow `CONTRACT.md` exactly (`scan --format ndjson` prints one of these a line);
/// fields that do not apply stay nil and are printed as null.
public struct Finding: Sendable, Equatable {
    public var kind: FindingKind
    public var severity: Severity
    /// When the leak was first seen.
    public var time: Timestamp?
    public var lastSeen: Timestamp?
    /// Occurrences folded into this finding (the same statement shape run again, say).
    public var count: Int
    public var incident: String?
    public var traceID: String?
    public var requestID: String?
    public var callerTenant: String?
    /// How far the caller's claims can be trusted: `verified`, `unverified`, `invalid`, or `absent`
    /// (nil when the finding has no caller).
    public var callerVerification: String?
    public var accessedTenants: [String]
    public var tables: [String]
    public var application: String?
    public var route: String?
    public var statement: String?
    public var fingerprint: String?
    public var cacheKey: String?
    public var message: String
    /// Capped list of source lines; `count` says how many occurrences there were in all.
    public var evidence: [SourcePosition]

    public init(kind: FindingKind, severity: Severity, time: Timestamp?, message: String,
                count: Int = 1, incident: String? = nil, traceID: String? = nil, requestID: String? = nil,
                callerTenant: String? = nil, accessedTenants: [String] = [], tables: [String] = [],
                application: String? = nil, route: String? = nil, statement: String? = nil,
                fingerprint: String? = nil, cacheKey: String? = nil, evidence: [SourcePosition] = []) {
        self.kind = kind
        self.severity = severity
        self.time = time
        self.lastSeen = time
        self.count = count
        self.incident = incident
        self.traceID = traceID
        self.requestID = requestID
        self.callerTenant = callerTenant
        self.accessedTenants = accessedTenants
        self.tables = tables
        self.application = application
        self.route = route
        self.statement = statement
        self.fingerprint = fingerprint
        self.cacheKey = cacheKey
        self.message = message
        self.evidence = evidence
    }
}

/// The leak classes of the contract. New kinds are added here and in one detector file.
public enum FindingKind: String, Sendable, Codable, CaseIterable {
    case missingTenantPredicate = "missing_tenant_predicate"
    case crossTenantQuery = "cross_tenant_query"
    case crossTenantResponse = "cross_tenant_response"
    case tokenHostMismatch = "token_host_mismatch"
    case tenantContextMismatch = "tenant_context_mismatch"
    case unscopedCacheKey = "unscoped_cache_key"
    case unresolvedTenant = "unresolved_tenant"
    case refreshTokenReuse = "refresh_token_reuse"
    case unsignedToken = "unsigned_token"
    case logForgery = "log_forgery"
    /// A response that may have carried another tenant's cached data, inferred from an inexact
    /// tie (a cache command tied to its request by time). Never critical; its message says what
    /// would confirm it.
    case suspectedCrossTenantResponse = "suspected_cross_tenant_response"
    case unjudgedStatement = "unjudged_statement"
    case unconfinedChildAccess = "unconfined_child_access"
    /// (info) A verified privileged caller (support, admin) touched a tenant's data: an access
    /// log entry a customer can be given, never a leak (`PrivilegedAccessDetector`).
    case privilegedAccess = "privileged_access"
    /// An internal route (`[audit] internal_routes`) served a caller without privilege, or ran
    /// unscoped statements for one.
    case unguardedInternalRoute = "unguarded_internal_route"
    /// A search on a tenant-owned index that any tenant's documents can match.
    case unscopedSearch = "unscoped_search"
    /// A search confined to a tenant other than its caller's, or to several.
    case crossTenantSearch = "cross_tenant_search"
}

/// Ordered so `--fail-on` can compare: a finding at or above the threshold fails the scan.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int {
        switch self {
        case .info: return 0
        case .low: return 1
        case .medium: return 2
        case .high: return 3
        case .critical: return 4
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
