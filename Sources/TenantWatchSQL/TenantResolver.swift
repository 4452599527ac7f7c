/// The concrete tenants an execution touched, once its bind parameters and session are known.
public struct ResolvedTenants: Hashable, Sendable {
    /// Sorted, distinct.
    public var tenants: [String]
    /// Values that could not be made concrete: a missing or NULL parameter, an unknown session.
    public var unresolved: [TenantValue]
}

/// Turns an analysis's symbolic tenant values into strings for one execution. The cached analysis
/// stays valid for every execution of the same text; only this step differs per execution.
public enum TenantResolver {
    /// `parameters[0]` is `$1`. `sessionTenant` is the backend's session tenant before this text
    /// ran; session changes made by earlier statements of the same text are applied in order.
    /// `current_setting(x)` resolves to `sessionTenant` only when `x` is `sessionSetting`.
    public static func resolve(_ analysis: StatementAnalysis, parameters: [String?], sessionTenant: String?,
                               sessionSetting: String = "app.current_tenant") -> ResolvedTenants {
        // Per execution, so nothing is allocated that the analysis does not need: the setting
        // name is lower-cased only for a `current_setting`, and the few tenants (usually one)
        // are sorted and made distinct at the end rather than hashed into a set.
        var setting: String?
        var session = sessionTenant
        var tenants: [String] = []
        var unresolved: [TenantValue] = []
        func concrete(_ v: TenantValue) -> String? {
            switch v {
            case .literal(let s): return s
            case .parameter(let n): return n >= 1 && n <= parameters.count ? parameters[n - 1] : nil
            case .sessionSetting(let name):
                if setting == nil { setting = sessionSetting.lowercased() }
                return name == setting ? session : nil
            case .caller: return nil
            }
        }
        // `analysis.statements` would build an array (holding a copy of a lone analysis) per call.
        func visit(_ part: StatementAnalysis) {
            for item in part.items {
                for v in item.values {
                    if let s = concrete(v) { tenants.append(s) } else if !unresolved.contains(v) { unresolved.append(v) }
                }
            }
            for change in part.sessionChanges {
                switch change {
                case .reset: session = nil
                case .set(let v, _): session = concrete(v)
                case .beginTransaction, .commitTransaction, .rollbackTransaction: break
                }
            }
        }
        if analysis.parts.isEmpty {
            visit(analysis)
        } else {
            for part in analysis.parts { visit(part) }
        }
        if tenants.count > 1 {
            tenants.sort()
            var distinct: [String] = []
            for t in tenants where distinct.last != t { distinct.append(t) }
            tenants = distinct
        }
        return ResolvedTenants(tenants: tenants, unresolved: unresolved)
    }
}
