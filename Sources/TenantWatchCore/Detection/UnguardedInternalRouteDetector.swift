/// `unguarded_internal_route` (high): an internal route (`[audit] internal_routes`) that is a
/// data surface for anyone, found two ways:
/// - its request: it was answered 2xx (or without a logged status) to a caller without a
///   verified privilege — no token, a customer's token, a forged or unverified admin token. A
///   refusal (401/403/404) is the guard working and raises nothing;
/// - its statements: one ran unscoped (every tenant's rows) while the caller was not privileged.
///   Only a statement tied to its request counts: without the audit line the caller is unknown,
///   and "not privileged" would be a guess (its missing predicate is still reported).
///
/// The missing predicate is still reported as `missing_tenant_predicate` too: this rule says
/// which endpoint let it out, not that it happened.
public struct UnguardedInternalRouteDetector: StatementDetector, RequestDetector {
    public let routes: [RoutePattern]
    public var allTenants: [String]

    public init(routes: [String] = [], allTenants: [String] = []) {
        self.routes = routes.map(RoutePattern.init)
        self.allTenants = allTenants.sorted()
    }

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard !routes.isEmpty, s.verdict == .unscoped, !s.execution.failed,
              let r = s.request, r.caller.privilege == nil else { return [] }
        guard let pattern = RoutePattern.firstMatch(routes, r.route), let route = r.route else { return [] }
        let tables = s.unscopedTables.isEmpty ? s.tables : s.unscopedTables
        let exposed: [String]
        if r.responseTenantsLogged {
            exposed = Array(Set(r.responseTenants.filter { $0 != r.callerTenant })).sorted()
        } else {
            exposed = allTenants
        }
        let message = "internal route \(route) (\(pattern.text)) ran \(s.command.uppercased()) on "
            + "\(tables.joined(separator: ", ")) without a tenant predicate for \(UnguardedInternalRouteDetector.describe(r.caller))"
        return [s.finding(kind: .unguardedInternalRoute, severity: .high, message: message, tables: tables, accessedTenants: exposed)]
    }

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard !routes.isEmpty, r.succeeded, r.caller.privilege == nil,
              let pattern = RoutePattern.firstMatch(routes, r.route), let route = r.route else { return [] }
        let exposed = Array(Set(r.responseTenants.filter { $0 != r.caller.tenant })).sorted()
        let status = r.status.map { "answered \($0)" } ?? "answered (no status logged)"
        let message = "internal route \(route) (\(pattern.text)) \(status) to \(UnguardedInternalRouteDetector.describe(r.caller))"
        return [r.finding(kind: .unguardedInternalRoute, severity: .high, message: message, accessedTenants: exposed,
                          extraEvidence: context.statements)]
    }

    /// Who the caller was, as far as it is known: never privileged here.
    static func describe(_ c: CallerIdentity) -> String {
        switch c.verification {
        case .absent:
            return c.tenant.map { "tenant \($0) (no token)" } ?? "a caller without a token"
        case .invalid:
            return "a caller whose token is invalid (\(c.reason ?? "not verified"))" + (c.claimedTenant.map { ", claiming tenant \($0)" } ?? "")
        case .unverified, .verified:
            return "a non-privileged caller" + (c.tenant.map { " of tenant \($0)" } ?? "") + " (token \(c.verification.rawValue))"
        }
    }
}
