import TenantWatchModel

/// `unresolved_tenant`: a request answered 2xx although its Host names no known tenant, or it
/// had no Host at all — the "missing Host falls back to a default tenant" failure.
public struct UnresolvedTenantDetector: RequestDetector {
    public init() {}

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard context.hostPatternConfigured, r.status.map({ (200..<300).contains($0) }) == true else { return [] }
        let message: String
        if let host = r.host, !host.isEmpty {
            if let named = r.hostTenant {
                guard !context.knownTenants.known.isEmpty, !context.knownTenants.contains(named) else { return [] }
                message = "Host \(host) names tenant \(named), which is not known, yet the request was answered \(r.status!)"
            } else {
                message = "Host \(host) names no tenant, yet the request was answered \(r.status!)"
            }
        } else {
            message = "request without a Host was answered \(r.status!)"
        }
        return [r.finding(kind: .unresolvedTenant, severity: .medium, message: message)]
    }
}
