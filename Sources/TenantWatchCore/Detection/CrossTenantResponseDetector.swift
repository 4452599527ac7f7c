/// `cross_tenant_response`: the response carried rows or objects of a tenant other than the
/// caller's — the leak itself, whatever caused it upstream.
public struct CrossTenantResponseDetector: RequestDetector {
    public init() {}

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard r.succeeded, let caller = r.caller.tenant else { return [] }
        let foreign = Array(Set(r.responseTenants.filter { $0 != caller })).sorted()
        guard !foreign.isEmpty else { return [] }
        let route = r.route.map { " \($0)" } ?? ""
        let message = "response to \(caller)'s request\(route) carried data of \(foreign.joined(separator: ", "))"
        return [r.finding(kind: .crossTenantResponse, severity: .critical, message: message,
                          accessedTenants: foreign, extraEvidence: context.statements)]
    }
}
