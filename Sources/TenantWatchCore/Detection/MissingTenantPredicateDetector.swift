/// `missing_tenant_predicate`: a statement reads or writes a tenant-owned table that is not
/// RLS-protected without confining it to one tenant — the native query, the forgotten join
/// condition, the export job that returns every customer's rows.
///
/// The exposed scope is named (`accessed_tenants`, and in the message), so the incident says who
/// was exposed and a bundle can be exported for each: the tenants of the rows the request's
/// response carried, other than the caller, when its audit line logged them; otherwise every
/// tenant of the table (`allTenants`, the configured `[tenancy] tenants`).
public struct MissingTenantPredicateDetector: StatementDetector {
    public var allTenants: [String]
    public init(allTenants: [String] = []) { self.allTenants = allTenants.sorted() }

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard s.verdict == .unscoped else { return [] }
        // A statement the server rejected moved no rows; the next, corrected run will be seen.
        guard !s.execution.failed else { return [] }
        let tables = s.unscopedTables.isEmpty ? s.tables : s.unscopedTables
        let command = s.command.uppercased()
        // An INSERT that omits the tenant column writes rows no tenant owns (or a default one):
        // a data-integrity bug, but it exposes nothing by itself.
        let severity: Severity = command == "INSERT" ? .medium : .high
        let who = s.application.map { " by \($0)" } ?? ""
        var message = "\(command) on \(tables.joined(separator: ", ")) has no tenant predicate\(who)"
            + (s.reason.isEmpty ? "" : ": \(s.reason)")
        let exposed: [String]
        if let r = s.request, r.responseTenantsLogged {
            exposed = Array(Set(r.responseTenants.filter { $0 != r.callerTenant })).sorted()
            message += exposed.isEmpty ? "; exposed: no other tenant in the response"
                                       : "; exposed: the response's tenants \(exposed.joined(separator: ", "))"
        } else {
            exposed = allTenants
            message += "; exposed: all tenants of \(tables.joined(separator: ", "))"
        }
        return [s.finding(kind: .missingTenantPredicate, severity: severity, message: message, tables: tables,
                          accessedTenants: exposed)]
    }
}
