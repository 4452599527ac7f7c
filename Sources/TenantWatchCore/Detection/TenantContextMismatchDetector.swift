/// `tenant_context_mismatch`: the backend's session tenant (what row-level security filters by)
/// differs from the caller of a statement run on it — the pooled connection still carrying the
/// previous request's `SET app.current_tenant`.
public struct TenantContextMismatchDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard !s.execution.failed, !s.tables.isEmpty,
              let caller = s.callerTenant, let session = s.sessionTenant, session != caller else { return [] }
        let message = "\(s.command) on \(s.tables.joined(separator: ", ")) for caller \(caller) ran on backend "
            + "\(s.execution.backend.pid) whose session tenant is \(session)"
        return [s.finding(kind: .tenantContextMismatch, severity: .high, message: message,
                          tables: s.tables, accessedTenants: [session])]
    }
}
