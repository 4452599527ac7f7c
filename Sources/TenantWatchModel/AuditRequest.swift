/// One line of an application's audit log: an HTTP request, who made it, and which tenants'
/// data its response carried.
public struct AuditRequest: Sendable {
    public var position: SourcePosition
    /// `nil` when the line has no (readable) time.
    public var time: Timestamp?
    public var requestID: String?
    /// The trace id (32 lower-case hex) from a W3C `traceparent` or a bare id.
    public var traceID: String?
    public var route: String?
    /// The request's Host, port stripped and lower-cased.
    public var host: String?
    /// The tenant the Host names through `identity.host`; `nil` when the Host is absent or does
    /// not match the pattern (`www`, the apex, another domain).
    public var hostTenant: String?
    public var caller: CallerIdentity
    /// Tenants of the rows/objects the response carried (numbers as their decimal text).
    public var responseTenants: [String]
    /// Whether the audit line logged its response's tenants at all (`audit.response_tenants`
    /// present, even as `[]`). When it did, that list is the request's own evidence of what it
    /// returned, and no inferred tie may contradict it.
    public var responseTenantsLogged = false
    /// The HTTP status, when logged.
    public var status: Int?
    /// The refresh token (or its id/hash) the request presented (`audit.refresh_token`).
    public var refreshToken: String?
    /// The refresh token the response issued in exchange (`audit.refresh_token_issued`): after it,
    /// `refreshToken` counts as rotated.
    public var issuedRefreshToken: String?

    public init(position: SourcePosition, time: Timestamp?, requestID: String? = nil, traceID: String? = nil,
                route: String? = nil, host: String? = nil, hostTenant: String? = nil,
                caller: CallerIdentity = CallerIdentity(), responseTenants: [String] = [],
                status: Int? = nil, refreshToken: String? = nil, issuedRefreshToken: String? = nil) {
        self.position = position
        self.time = time
        self.requestID = requestID
        self.traceID = traceID
        self.route = route
        self.host = host
        self.hostTenant = hostTenant
        self.caller = caller
        self.responseTenants = responseTenants
        self.status = status
        self.refreshToken = refreshToken
        self.issuedRefreshToken = issuedRefreshToken
    }
}

/// Who made a request, and how far that can be trusted.
public struct CallerIdentity: Sendable, Equatable {
    /// Where the caller's tenant came from.
    public enum Source: String, Sendable, Codable {
        /// The JWT in `audit.token`, claim `identity.claim`.
        case token
        /// `audit.caller_tenant`: the application logged the tenant itself.
        case field
    }

    /// How far the token was checked.
    public enum Verification: String, Sendable, Codable {
        /// The signature matched a configured key and the token was valid at the request's time.
        case verified
        /// No key is configured: the claims were read, not checked.
        case unverified
        /// `alg: none`, a bad signature, an unknown key or algorithm, expired or not yet valid.
        case invalid
        /// No token (or the tenant came from `audit.caller_tenant`).
        case absent
    }

    /// The caller's tenant, as far as it can be trusted: `nil` when the token is `invalid`.
    public var tenant: String?
    /// The tenant the token claims, even when it cannot be trusted (`alg: none`, bad signature).
    public var claimedTenant: String?
    public var source: Source?
    public var verification: Verification
    /// Why the token is `invalid` (`alg none`, `bad signature`, `expired`, `not yet valid`, ...).
    public var reason: String?
    /// The token's `alg` header.
    public var algorithm: String?
    /// The `sub` claim.
    public var subject: String?
    /// The `sid` claim, else `jti`.
    public var sessionID: String?
    /// The token with all but its first 6 and last 4 characters hidden: `eyJhbG…x4Tc`.
    public var maskedToken: String?
    /// Set only for a verified token whose claims grant cross-tenant access (`[identity] privileged`).
    public var privilege: StaffPrivilege? = nil

    public init(tenant: String? = nil, claimedTenant: String? = nil, source: Source? = nil,
                verification: Verification = .absent, reason: String? = nil, algorithm: String? = nil,
                subject: String? = nil, sessionID: String? = nil, maskedToken: String? = nil) {
        self.tenant = tenant
        self.claimedTenant = claimedTenant
        self.source = source
        self.verification = verification
        self.reason = reason
        self.algorithm = algorithm
        self.subject = subject
        self.sessionID = sessionID
        self.maskedToken = maskedToken
    }
}
