import TenantWatchModel

/// `token_host_mismatch`: a token issued for tenant A presented on tenant B's Host — a replayed
/// or shared token, or an app that trusts the subdomain over the token (or the reverse).
public struct TokenHostMismatchDetector: RequestDetector {
    public init() {}

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard r.caller.source == .token, let tokenTenant = r.caller.tenant,
              let hostTenant = r.hostTenant, hostTenant != tokenTenant else { return [] }
        let message = "token for \(tokenTenant) presented on \(r.host ?? hostTenant) (tenant \(hostTenant))"
        return [r.finding(kind: .tokenHostMismatch, severity: .high, message: message, accessedTenants: [hostTenant])]
    }
}
