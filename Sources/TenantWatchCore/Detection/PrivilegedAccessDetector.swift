/// `privileged_access` (info): a verified privileged caller — support staff, an administrator
/// (`[identity] privileged`) — touched a tenant's data. Each is recorded with the staff
/// identity, the tenant touched and the reason claim when present: an access log a customer can
/// be given (its own incident family, `staff`), never a leak.
///
/// What is accounted:
/// - impersonating tenant X (`act`, or the impersonation claim): a statement confined to X, a
///   response that carried X. Anything else such a caller touches is a leak and is reported by
///   the leak rules as for any caller of X (the impersonation scopes the privilege).
/// - not impersonating: statements confined to other tenants than the staff member's own,
///   unscoped reads (every tenant, or the response's), children reached by their keys; responses
///   carrying other tenants. The leak findings these would raise are withheld
///   (`PrivilegedAccessPolicy`).
///
/// The caller's privilege is set only for a verified token (`IdentityResolver`), so this rule
/// never sees a forged `role=admin`.
public struct PrivilegedAccessDetector: StatementDetector, RequestDetector {
    public var allTenants: [String]
    public init(allTenants: [String] = []) { self.allTenants = allTenants.sorted() }

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard !s.execution.failed, let r = s.request, let p = r.caller.privilege else { return [] }
        let tenants: [String]
        let what: String
        if let x = p.impersonatedTenant {
            guard s.verdict == .scoped, !s.accessedTenants.isEmpty, s.accessedTenants.allSatisfy({ $0 == x }) else { return [] }
            tenants = [x]
            what = x
        } else {
            switch s.verdict {
            case .scoped, .multiTenant:
                tenants = Array(Set(s.accessedTenants.filter { $0 != p.homeTenant })).sorted()
                guard s.verdict == .multiTenant || !tenants.isEmpty else { return [] }
                what = tenants.isEmpty ? "several tenants" : tenants.joined(separator: ", ")
            case .unscoped, .unconfinedChild:
                // An INSERT without the tenant column exposes nothing: it stays what it is.
                guard s.command.uppercased() != "INSERT" else { return [] }
                if r.responseTenantsLogged {
                    tenants = Array(Set(r.responseTenants.filter { $0 != p.homeTenant })).sorted()
                    what = tenants.isEmpty ? "no other tenant in the response" : "the response's tenants " + tenants.joined(separator: ", ")
                } else {
                    tenants = s.verdict == .unscoped ? allTenants : []
                    what = s.verdict == .unscoped ? "all tenants" : "rows of any tenant by their keys"
                }
            default:
                return []
            }
        }
        let tables = s.unscopedTables.isEmpty ? s.tables : s.unscopedTables
        let message = "privileged access: \(p.summary) ran \(s.command.uppercased()) on \(tables.joined(separator: ", ")) "
            + "for \(what)\(r.route.map { " via \($0)" } ?? "")"
        var f = s.finding(kind: .privilegedAccess, severity: .info, message: message, tables: tables, accessedTenants: tenants)
        f.callerTenant = p.homeTenant
        return [f]
    }

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard r.succeeded, let p = r.caller.privilege, r.responseTenantsLogged else { return [] }
        let touched: [String]
        if let x = p.impersonatedTenant {
            touched = r.responseTenants.contains(x) ? [x] : []
        } else {
            touched = Array(Set(r.responseTenants.filter { $0 != p.homeTenant })).sorted()
        }
        guard !touched.isEmpty else { return [] }
        let message = "privileged access: \(p.summary) was answered\(r.route.map { " on \($0)" } ?? "") "
            + "with data of \(touched.joined(separator: ", "))"
        return [r.finding(kind: .privilegedAccess, severity: .info, message: message, accessedTenants: touched,
                          callerTenant: p.homeTenant, extraEvidence: context.statements)]
    }
}
