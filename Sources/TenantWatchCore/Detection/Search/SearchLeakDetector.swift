/// Search findings, from one judged search and the request it served (when tied):
///
/// - `unscoped_search` (high): a search on a tenant-owned index that documents of any tenant
///   can match — no `term`/`terms` on a tenant field in a `filter`/`must` path, or only in
///   `post_filter` beside aggregations, or a `global` aggregation.
/// - `cross_tenant_search` (high): confined, but to a tenant other than the caller's, or to
///   several (`terms` with two tenants), as `cross_tenant_query` is for statements.
/// - `unjudged_statement` (medium): a search on a tenant-owned index whose confinement cannot be
///   told (a `query_string` naming the tenant field, a script, a body that is not JSON): said,
///   never guessed as scoped.
///
/// Pure: the same judged search and request give the same findings.
public enum SearchLeakDetector {
    public static func inspect(_ s: JudgedSearch, request: RequestContext?) -> [Finding] {
        let on = (s.tenantIndices.isEmpty ? s.indices : s.tenantIndices)
        let where_ = on.isEmpty ? "an index not named in the log" : on.joined(separator: ", ")
        let part = s.part.map { " (search \($0) of an _msearch)" } ?? ""
        let caller = request?.callerTenant
        switch s.verdict {
        case .scoped:
            guard let caller, let only = s.tenants.first, s.tenants.count == 1, only != caller else { return [] }
            return [finding(s, request: request, kind: .crossTenantSearch, severity: .high, accessed: [only],
                            message: "search on \(where_)\(part) for caller \(caller) is confined to tenant \(only)")]
        case .multiTenant:
            let others = s.tenants.filter { $0 != caller }
            return [finding(s, request: request, kind: .crossTenantSearch, severity: .high, accessed: others,
                            message: "search on \(where_)\(part) spans tenants \(s.tenants.joined(separator: ", "))"
                                + (caller.map { " for caller \($0)" } ?? ""))]
        case .unscoped:
            return [finding(s, request: request, kind: .unscopedSearch, severity: .high, accessed: [],
                            message: "search on \(where_)\(part) is not confined to a tenant: \(s.reason)")]
        case .unjudged:
            return [finding(s, request: request, kind: .unjudgedStatement, severity: .medium, accessed: [],
                            message: "search on \(where_)\(part) was not judged: \(s.reason)")]
        case .notApplicable:
            return []
        }
    }

    static func finding(_ s: JudgedSearch, request: RequestContext?, kind: FindingKind, severity: Severity,
                        accessed: [String], message: String) -> Finding {
        var evidence = [s.query.position]
        if let r = request?.position, r != s.query.position { evidence.append(r) }
        var f = Finding(kind: kind, severity: severity, time: s.query.time, message: message,
                        traceID: request?.traceID ?? s.query.traceID, requestID: request?.requestID ?? s.query.requestID,
                        callerTenant: request?.callerTenant, accessedTenants: accessed,
                        tables: s.tenantIndices.isEmpty ? s.indices : s.tenantIndices,
                        route: request?.route, statement: bounded(s.body), fingerprint: fingerprint(s.shape),
                        evidence: evidence)
        f.callerVerification = request?.caller.verification.rawValue
        return f
    }

    /// `search:` and 16 hex digits of the body's shape (FNV-1a): one leak path per query shape.
    static func fingerprint(_ shape: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in shape.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "search:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The body a finding keeps: its head when it is long; the evidence points at all of it.
    static func bounded(_ body: String) -> String {
        let size = body.utf8.count
        guard size > 4096 else { return body }
        return String(decoding: Array(body.utf8.prefix(4096)), as: UTF8.self) + " … [\(size) bytes]"
    }
}
