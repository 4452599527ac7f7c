/// What a statement learns from the request that issued it.
public struct RequestContext: Sendable, Equatable {
    public var requestID: String?
    public var traceID: String?
    public var route: String?
    public var host: String?
    public var caller: CallerIdentity
    public var position: SourcePosition

    public init(_ request: AuditRequest) {
        requestID = request.requestID
        traceID = request.traceID
        route = request.route
        host = request.host
        caller = request.caller
        position = request.position
    }

    /// The caller's tenant as far as it can be trusted (nil for an invalid token).
    public var callerTenant: String? { caller.tenant }
}

/// Tenant identifiers known to exist: from the config, from callers' tokens, from the values
/// statements were confined to. Lets "a Host naming no known tenant" and "a cache key segment
/// that is a tenant" be told apart from ordinary words.
public struct TenantRegistry: Sendable {
    public private(set) var known: Set<String>
    /// Learned names are capped so a flood of forged tokens cannot grow memory without bound.
    public var capacity: Int

    public init(configured: [String] = [], capacity: Int = 100_000) {
        self.known = Set(configured)
        self.capacity = capacity
    }

    public mutating func learn(_ tenant: String?) {
        guard let t = tenant, !t.isEmpty, known.count < capacity else { return }
        known.insert(t)
    }

    public func contains(_ tenant: String) -> Bool { known.contains(tenant) }
}
