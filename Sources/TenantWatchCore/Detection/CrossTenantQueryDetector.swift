/// `cross_tenant_query`: the statement is confined, but to a tenant other than its caller's, or
/// to several at once (`tenant_id IN ('acme','globex')`, or `$1`/`$2` bound to two tenants).
public struct CrossTenantQueryDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard !s.execution.failed, s.verdict == .scoped || s.verdict == .multiTenant else { return [] }
        // Nearly every confined statement is clean: the message parts are built only for a
        // finding, and one tenant needs no de-duplication.
        let tenants = s.accessedTenants.count <= 1 ? s.accessedTenants : Array(Set(s.accessedTenants)).sorted()
        if s.verdict == .multiTenant || tenants.count > 1 {
            // Values the log did not carry still make the statement span several tenants; say so
            // instead of inventing names.
            let list = tenants.isEmpty ? "several tenants" : tenants.joined(separator: ", ")
            let message = "\(s.command) on \(s.tables.joined(separator: ", ")) spans \(list)\(who(s))"
            return [s.finding(kind: .crossTenantQuery, severity: .high, message: message,
                              tables: s.tables, accessedTenants: tenants.filter { $0 != s.callerTenant })]
        }
        if let caller = s.callerTenant, let only = tenants.first, only != caller {
            let message = "\(s.command) on \(s.tables.joined(separator: ", ")) for caller \(caller) "
                + "is confined to tenant \(only)\(who(s))"
            return [s.finding(kind: .crossTenantQuery, severity: .high, message: message,
                              tables: s.tables, accessedTenants: [only])]
        }
        return []
    }

    private func who(_ s: AnalyzedStatement) -> String { s.application.map { " by \($0)" } ?? "" }
}
