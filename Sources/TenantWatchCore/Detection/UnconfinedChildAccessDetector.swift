/// `unconfined_child_access`: a statement reads or writes a child table (tenant-owned only through
/// its foreign keys) by its own keys alone — `SELECT * FROM messages WHERE po_id = $1`,
/// `UPDATE order_lines SET qty = $1 WHERE id = $2`. Nothing in it keeps the caller to their own
/// tenant's rows: the classic IDOR. Which tenant the row belonged to cannot be known from the
/// statement, so this is medium.
///
/// It becomes `cross_tenant_query` (high) only on exact evidence: the request that issued it
/// answered 2xx and its own response listed a tenant other than the caller's. No guess from the
/// key's value is ever made.
public struct UnconfinedChildAccessDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard s.verdict == .unconfinedChild, !s.execution.failed,
              let analysis = s.judgement?.analysis else { return [] }
        let tables = analysis.unconfinedChildTables.map(\.description)
        let command = s.command.uppercased()
        let who = s.application.map { " by \($0)" } ?? ""
        let on = tables.joined(separator: ", ")
        if let request = s.request, request.succeeded, let caller = request.callerTenant {
            let foreign = Array(Set(request.responseTenants.filter { $0 != caller })).sorted()
            if !foreign.isEmpty {
                let message = "\(command) on \(on) found only by its own keys\(who); the response to \(caller)'s request "
                    + "carried data of \(foreign.joined(separator: ", "))"
                return [s.finding(kind: .crossTenantQuery, severity: .high, message: message, tables: tables,
                                  accessedTenants: foreign)]
            }
        }
        let message = "\(command) on \(on) is found only by its own keys\(who): its tenant cannot be known"
            + (s.reason.isEmpty ? "" : ": \(s.reason)")
        return [s.finding(kind: .unconfinedChildAccess, severity: .medium, message: message, tables: tables)]
    }
}
