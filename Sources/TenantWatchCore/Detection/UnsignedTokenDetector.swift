import TenantWatchModel

/// `unsigned_token`: the caller's JWT had `alg: none` or failed verification against a
/// configured key. Its tenant claim is not trusted anywhere else in the pipeline.
public struct UnsignedTokenDetector: RequestDetector {
    public init() {}

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard r.caller.source == .token || r.caller.maskedToken != nil, r.caller.verification == .invalid else { return [] }
        let reason = r.caller.reason ?? "failed verification"
        let claimed = r.caller.claimedTenant.map { " claiming tenant \($0)" } ?? ""
        let answered = r.succeeded ? " and was answered \(r.status.map(String.init) ?? "")" : ""
        let severity: Severity = r.succeeded ? .high : .medium
        let message = "token \(r.caller.maskedToken ?? "")\(claimed) is invalid (\(reason))\(answered)"
        return [r.finding(kind: .unsignedToken, severity: severity, message: message,
                          accessedTenants: r.caller.claimedTenant.map { [$0] } ?? [], callerTenant: nil)]
    }
}
