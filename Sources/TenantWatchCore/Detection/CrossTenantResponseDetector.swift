import TenantWatchModel

/// `cross_tenant_response`: the response carried rows or objects of a tenant other than the
/// caller's — the leak itself, whatever caused it upstream.
///
/// The rule of evidence (README, "What counts as evidence"): a critical finding rests on exact
/// ties only.
/// - The request's own response tenants (its audit line) are exact.
/// - A poisoned cache chain (A's request → SET key → B's request → GET key) is exact when both
///   commands were tied to their requests by the Redis connection's `CLIENT SETNAME`; it is a leak
///   even when the audit log lists only the caller (the application labelled the payload wrong).
/// - A chain with either end tied by time is a guess: under concurrency the one request "in
///   flight" is usually someone else's. It never raises a critical finding. When the audit line
///   did not log the response's tenants, it raises `suspected_cross_tenant_response` (medium),
///   saying what would confirm it; when the audit line did log them and they do not name the
///   writer, the guess contradicts the request's own evidence and is dropped (counted by the
///   pipeline as a contradicted tie).
public struct CrossTenantResponseDetector: RequestDetector {
    public init() {}

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard r.succeeded, let caller = r.caller.tenant else { return [] }
        let exactChains = context.poisonedReads.filter(\.isExact)
        let guesses = context.poisonedReads.filter { !$0.isExact }
        var foreign = Set(r.responseTenants.filter { $0 != caller })
        for chain in exactChains { foreign.insert(chain.writer.tenant) }
        let route = r.route.map { " \($0)" } ?? ""
        if !foreign.isEmpty {
            let exposed = foreign.sorted()
            var message = "response to \(caller)'s request\(route) carried data of \(exposed.joined(separator: ", "))"
            // A guessed chain that agrees with the response's own tenants is shown as context.
            let chains = exactChains + guesses.filter { foreign.contains($0.writer.tenant) }
            if let first = chains.first { message += "; " + first.summary }
            var evidence = context.statements
            for chain in chains { evidence += chain.evidence.filter { !evidence.contains($0) } }
            var finding = r.finding(kind: .crossTenantResponse, severity: .critical, message: message,
                                    accessedTenants: exposed, extraEvidence: evidence)
            finding.cacheKey = chains.first?.key
            return [finding]
        }
        // Only guesses are left. The audit line's own list wins over any of them.
        guard !r.responseTenantsLogged, let guess = guesses.first else { return [] }
        let writers = Set(guesses.map(\.writer.tenant)).sorted()
        let message = "suspected: response to \(caller)'s request\(route) may have carried data of "
            + "\(writers.joined(separator: ", ")); \(guess.summary). Not confirmed: "
            + "the cache commands were tied to requests by time only and the audit line does not log the response's tenants. "
            + "To confirm, name the Redis connection per request (CLIENT SETNAME request_id=...) or log response tenants (audit.response_tenants)"
        var evidence = context.statements
        for chain in guesses { evidence += chain.evidence.filter { !evidence.contains($0) } }
        var finding = r.finding(kind: .suspectedCrossTenantResponse, severity: .medium, message: message,
                                accessedTenants: writers, extraEvidence: evidence)
        finding.cacheKey = guess.key
        return [finding]
    }
}
