/// `cross_tenant_query`: the statement is confined, but to several tenants at once
/// (`tenant_id IN ('acme','globex')`, or `$1`/`$2` bound to different tenants).
///
/// The other half of the kind — confined to one tenant that is not the caller's — needs the
/// caller, and is judged where requests are correlated.
public struct CrossTenantQueryDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard !s.execution.failed else { return [] }
        guard s.verdict == .multiTenant || (s.verdict == .scoped && Set(s.accessedTenants).count > 1) else { return [] }
        let tenants = Array(Set(s.accessedTenants)).sorted()
        // Values that could not be resolved (a parameter the log did not carry) still make the
        // statement span several tenants; say so instead of inventing names.
        let list = tenants.isEmpty ? "several tenants" : tenants.joined(separator: ", ")
        let who = s.application.map { " by \($0)" } ?? ""
        let message = "\(s.command.uppercased()) on \(s.tables.joined(separator: ", ")) spans \(list)\(who)"
        return [s.finding(kind: .crossTenantQuery, severity: .high, message: message,
                          tables: s.tables, accessedTenants: tenants)]
    }
}
