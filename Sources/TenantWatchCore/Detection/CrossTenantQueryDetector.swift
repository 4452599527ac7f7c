/// `cross_tenant_query`: the statement is confined, but to a tenant other than its caller's, or
/// to several at once (`tenant_id IN ('acme','globex')`, or `$1`/`$2` bound to two tenants).
public struct CrossTenantQueryDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard !s.execution.failed, s.verdict == .scoped || s.verdict == .multiTenant else { return [] }
        let tenants = Array(Set(s.accessedTenants)).sorted()
        let who = s.application.map { " by \($0)" } ?? ""
        let tables = s.tables.joined(separator: ", ")
        if s.verdict == .multiTenant || tenants.count > 1 {
            // Values the log did not carry still make the statement span several tenants; say so
            // instead of inventing names.
            let list = tenants.isEmpty ? "several tenants" : tenants.joined(separator: ", ")
            let message = "\(s.command) on \(tables) spans \(list)\(who)"
            return [s.finding(kind: .crossTenantQuery, severity: .high, message: message,
                              tables: s.tables, accessedTenants: tenants.filter { $0 != s.callerTenant })]
        }
        if let caller = s.callerTenant, let only = tenants.first, only != caller {
            let message = "\(s.command) on \(tables) for caller \(caller) is confined to tenant \(only)\(who)"
            return [s.finding(kind: .crossTenantQuery, severity: .high, message: message,
                              tables: s.tables, accessedTenants: [only])]
        }
        return []
    }
}
