/// The analyzer's judgement of one statement, as `check-sql` prints it.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Every tenant-owned table is confined to one tenant.
    case scoped
    /// At least one tenant-owned table (not RLS-protected) can return any tenant's rows.
    case unscoped
    /// Confined, but to more than one tenant.
    case multiTenant = "multi_tenant"
    /// Unconfined tables are all protected by row-level security.
    case rls
    /// No tenant-owned table is touched.
    case notApplicable = "not_applicable"
    /// libpg_query rejected the text.
    case unparseable
}

/// A value a tenant column is pinned to. Parameters and session settings are resolved later,
/// per execution, so one cached analysis serves every execution of the same text.
public enum TenantValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case literal(String)
    case parameter(Int)
    case sessionSetting(String)

    public var description: String {
        switch self {
        case .literal(let v): return v
        case .parameter(let n): return "$\(n)"
        case .sessionSetting(let name): return "current_setting('\(name)')"
        }
    }
}
