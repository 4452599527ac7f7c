/// The verdict on one search, in the words `check-sql` uses for statements.
public enum SearchVerdict: String, Sendable, Codable {
    /// Every tenant-owned index it reads is confined to one tenant.
    case scoped
    /// Documents of any tenant can match.
    case unscoped
    /// Confined, but to several tenants (`terms` with two).
    case multiTenant = "multi_tenant"
    /// It cannot be told (query_string naming the tenant field, a script, a body that is not JSON).
    case unjudged
    /// It reads no tenant-owned index (global or unlisted indices), or `[search]` is not set.
    case notApplicable = "not_applicable"
}

/// One search judged: for an `_msearch`, one of these per search in it.
public struct JudgedSearch: Sendable {
    public var query: SearchQuery
    /// The indices this search (of an `_msearch`: this part) addressed.
    public var indices: [String]
    /// The tenant-owned ones among them (what a finding names).
    public var tenantIndices: [String]
    /// This search's body, as logged (for an `_msearch`, its own body line).
    public var body: String
    public var verdict: SearchVerdict
    /// The tenants it is confined to, sorted (scoped: one; multi-tenant: several).
    public var tenants: [String]
    public var reason: String
    /// The body's shape (values replaced by `?`): one leak path whatever the values.
    public var shape: String
    /// 1-based position in an `_msearch`; nil for a single search.
    public var part: Int?
}
