/// What a statement learns from the request that issued it.
///
/// Copy-on-write storage: one context is copied into every statement of its request and kept
/// under each of its keys; a copy is one retain instead of one per string.
public struct RequestContext: @unchecked Sendable, Equatable {
    private final class Storage {
        var requestID: String?
        var traceID: String?
        var route: String?
        var host: String?
        var caller: CallerIdentity
        var position: SourcePosition

        init(requestID: String?, traceID: String?, route: String?, host: String?, caller: CallerIdentity,
             position: SourcePosition) {
            self.requestID = requestID
            self.traceID = traceID
            self.route = route
            self.host = host
            self.caller = caller
            self.position = position
        }

        func copy() -> Storage {
            Storage(requestID: requestID, traceID: traceID, route: route, host: host, caller: caller, position: position)
        }
    }

    private var storage: Storage

    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var requestID: String? {
        get { storage.requestID }
        set { unique.requestID = newValue }
    }
    public var traceID: String? {
        get { storage.traceID }
        set { unique.traceID = newValue }
    }
    public var route: String? {
        get { storage.route }
        set { unique.route = newValue }
    }
    public var host: String? {
        get { storage.host }
        set { unique.host = newValue }
    }
    public var caller: CallerIdentity {
        get { storage.caller }
        set { unique.caller = newValue }
    }
    public var position: SourcePosition {
        get { storage.position }
        set { unique.position = newValue }
    }

    public init(_ request: AuditRequest) {
        storage = Storage(requestID: request.requestID, traceID: request.traceID, route: request.route,
                          host: request.host, caller: request.caller, position: request.position)
    }

    public static func == (a: RequestContext, b: RequestContext) -> Bool {
        a.storage === b.storage
            || (a.requestID == b.requestID && a.traceID == b.traceID && a.route == b.route && a.host == b.host
                && a.caller == b.caller && a.position == b.position)
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
