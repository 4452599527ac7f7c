/// The analyzer's judgement of one statement, as `check-sql` prints it.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Every tenant-owned table is confined to one tenant.
    case scoped
    /// At least one tenant-owned table (not RLS-protected) can return any tenant's rows.
    case unscoped
    /// A child table (tenant-owned only through foreign keys) is reached by its own keys alone
    /// (`WHERE po_id = $1`, `WHERE id = $2`): which tenant's row it is cannot be known from the
    /// statement. Every other tenant-owned table is confined.
    case unconfinedChild = "unconfined_child"
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
    /// The caller's own tenant, through the caller table's row (`users.id = $1` with
    /// `[tenancy] caller_table = "users"`). Not a tenant name: it never resolves to one, and it
    /// confines to whoever the caller is.
    case caller(String)

    public var description: String {
        switch self {
        case .literal(let v): return v
        case .parameter(let n): return "$\(n)"
        case .sessionSetting(let name): return "current_setting('\(name)')"
        case .caller(let row): return "caller(\(row))"
        }
    }
}
