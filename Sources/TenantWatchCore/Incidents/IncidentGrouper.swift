/// Groups findings into incidents: the same leak path seen again within a window is the same
/// incident (`INC-0001`, ...), so the on-call engineer works one incident, not fifty findings.
///
/// A leak path is the kind family, the caller and exposed tenants, and what the leak goes
/// through (the route, else the statement fingerprint, else the cache key pattern).
public struct IncidentGrouper: Sendable {
    /// A leak path quiet for longer than this opens a new incident when it recurs.
    public var window: Int64
    private var nextNumber: Int
    private var open: [String: (id: String, lastSeen: Int64)] = [:]

    public init(windowSeconds: Int64 = 24 * 3600, firstNumber: Int = 1) {
        self.window = windowSeconds * 1_000_000
        self.nextNumber = firstNumber
    }

    static func pathKey(for f: Finding) -> String {
        // A request's findings (the wrong-tenant query and the response it fed) share the route;
        // a background job's statement has none and goes by its fingerprint.
        let through = f.route ?? f.fingerprint ?? f.cacheKey ?? f.tables.joined(separator: ",")
        // A child table read by its own keys is one weakness of the endpoint, whoever calls it:
        // grouped by table and route, so a busy endpoint is one incident, not one per caller.
        if f.kind == .unconfinedChildAccess {
            return ["child", f.tables.joined(separator: ","), f.route ?? f.fingerprint ?? ""].joined(separator: "|")
        }
        return [f.kind.family, f.callerTenant ?? "", f.accessedTenants.joined(separator: ","), through]
            .joined(separator: "|")
    }

    /// The incident id for a finding, opening a new incident when needed.
    public mutating func assign(_ f: Finding) -> String {
        let key = IncidentGrouper.pathKey(for: f)
        let t = f.lastSeen?.microseconds ?? f.time?.microseconds ?? 0
        if let current = open[key], t - current.lastSeen <= window {
            open[key] = (current.id, max(current.lastSeen, t))
            return current.id
        }
        let id = IncidentGrouper.format(nextNumber)
        nextNumber += 1
        open[key] = (id, t)
        return id
    }

    public static func format(_ n: Int) -> String {
        let digits = String(n)
        return "INC-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension FindingKind {
    /// Kinds that describe the same leak seen from two sides share a family, so a missing
    /// predicate and the cross-tenant response it caused land in one incident.
    public var family: String {
        switch self {
        case .missingTenantPredicate, .crossTenantQuery, .crossTenantResponse, .tenantContextMismatch, .unjudgedStatement,
             .unscopedSearch, .crossTenantSearch:
            return "data"
        case .tokenHostMismatch, .unsignedToken, .refreshTokenReuse, .unresolvedTenant:
            return "identity"
        case .unscopedCacheKey:
            return "cache"
        case .logForgery:
            return "log"
        case .suspectedCrossTenantResponse:
            // Kept apart from confirmed leaks: a guess never joins (or opens) a data incident.
            return "suspected"
        case .unconfinedChildAccess:
            return "child"
        case .privilegedAccess:
            // Staff access is an access log, never part of a leak incident.
            return "staff"
        case .unguardedInternalRoute:
            // The endpoint that let the leak out joins the leak's incident (same caller, exposed
            // tenants and route): one incident for the on-call engineer, not two.
            return "data"
        }
    }
}
