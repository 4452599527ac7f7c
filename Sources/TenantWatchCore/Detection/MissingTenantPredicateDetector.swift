/// `missing_tenant_predicate`: a statement reads or writes a tenant-owned table that is not
/// RLS-protected without confining it to one tenant — the native query, the forgotten join
/// condition, the export job that returns every customer's rows.
public struct MissingTenantPredicateDetector: StatementDetector {
    public init() {}

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
        let message = "\(command) on \(tables.joined(separator: ", ")) has no tenant predicate\(who)"
            + (s.reason.isEmpty ? "" : ": \(s.reason)")
        return [s.finding(kind: .missingTenantPredicate, severity: severity, message: message, tables: tables)]
    }
}
