import TenantWatchModel

/// What a statement learns from the request that issued it.
///
/// Its fields live in shared storage (`CopyOnWrite`): one context is copied into every statement
/// of its request and kept under each of its keys; a copy is one retain instead of one per string.
public struct RequestContext: Sendable, Equatable {
    private struct Fields: Sendable, Equatable {
        var requestID: String?
        var traceID: String?
        var route: String?
        var host: String?
        var caller: CallerIdentity
        var position: SourcePosition
        var time: Timestamp?
        var responseTenants: [String]
        var responseTenantsLogged: Bool
        var status: Int?
    }

    private var fields: CopyOnWrite<Fields>

    public var requestID: String? {
        get { fields.value.requestID }
        set { fields.value.requestID = newValue }
    }
    public var traceID: String? {
        get { fields.value.traceID }
        set { fields.value.traceID = newValue }
    }
    public var route: String? {
        get { fields.value.route }
        set { fields.value.route = newValue }
    }
    public var host: String? {
        get { fields.value.host }
        set { fields.value.host = newValue }
    }
    public var caller: CallerIdentity {
        get { fields.value.caller }
        set { fields.value.caller = newValue }
    }
    public var position: SourcePosition {
        get { fields.value.position }
        set { fields.value.position = newValue }
    }

    /// The audit line's log time (when the request was answered).
    public var time: Timestamp? {
        get { fields.value.time }
        set { fields.value.time = newValue }
    }

    /// What the request's audit line says its response carried (see `AuditRequest`): exact
    /// evidence of what a statement the request ran returned.
    public var responseTenants: [String] { fields.value.responseTenants }
    public var responseTenantsLogged: Bool { fields.value.responseTenantsLogged }
    /// A 2xx answer (or no status logged): what the request read reached the caller.
    public var succeeded: Bool { fields.value.status.map { (200..<300).contains($0) } ?? true }

    public init(_ request: AuditRequest) {
        fields = CopyOnWrite(Fields(requestID: request.requestID, traceID: request.traceID, route: request.route,
                                    host: request.host, caller: request.caller, position: request.position, time: request.time,
                                    responseTenants: request.responseTenants, responseTenantsLogged: request.responseTenantsLogged,
                                    status: request.status))
    }

    public static func == (a: RequestContext, b: RequestContext) -> Bool {
        a.fields.sharesBox(with: b.fields) || a.fields.value == b.fields.value
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
