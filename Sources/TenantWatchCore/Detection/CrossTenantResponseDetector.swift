/// `cross_tenant_response`: the response carried rows or objects of a tenant other than the
/// caller's — the leak itself, whatever caused it upstream. When the request read a cache key
/// another tenant's request wrote, the chain that proves it (A's request → SET → GET) is part of
/// the evidence, and is a leak even when the audit log does not list the response's tenants.
public struct CrossTenantResponseDetector: RequestDetector {
    public init() {}

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard r.succeeded, let caller = r.caller.tenant else { return [] }
        let chains = context.poisonedReads
        var foreign = Set(r.responseTenants.filter { $0 != caller })
        for chain in chains { foreign.insert(chain.writer.tenant) }
        guard !foreign.isEmpty else { return [] }
        let exposed = foreign.sorted()
        let route = r.route.map { " \($0)" } ?? ""
        var message = "response to \(caller)'s request\(route) carried data of \(exposed.joined(separator: ", "))"
        if let first = chains.first { message += "; " + first.summary }
        var evidence = context.statements
        for chain in chains { evidence += chain.evidence.filter { !evidence.contains($0) } }
        var finding = r.finding(kind: .crossTenantResponse, severity: .critical, message: message,
                                accessedTenants: exposed, extraEvidence: evidence)
        finding.cacheKey = chains.first?.key
        return [finding]
    }
}
