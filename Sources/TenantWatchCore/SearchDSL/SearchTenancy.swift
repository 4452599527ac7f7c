import Foundation

/// What `[search]` says about one index name: the search counterpart of `TenancySchema`.
public struct SearchTenancy: Sendable {
    public enum IndexClass: Sendable, Equatable {
        /// Holds tenant documents: a search on it must be confined to one tenant.
        case tenantOwned
        /// Shared by design (`global_indices`), or a system index: never flagged.
        case global
        /// A filtered alias declared as confined to this tenant.
        case scopedAlias(tenant: String)
        /// `[search] indices` is set and this name matches none of it.
        case notTenantOwned
    }

    public let tenantFields: [String]
    public let indices: [IndexPattern]
    public let globalIndices: [IndexPattern]
    public let scopedAliases: [String: String]

    public init(_ search: Configuration.Search) {
        tenantFields = search.tenantFields
        indices = search.indices.map(IndexPattern.init)
        globalIndices = search.globalIndices.map(IndexPattern.init)
        scopedAliases = search.scopedAliases
    }

    public var isConfigured: Bool { !tenantFields.isEmpty }

    /// One name as logged (a concrete index, an alias, or a pattern the application addressed).
    /// Global wins over tenant-owned, as `global_tables` wins over tenant tables.
    public func classify(_ name: String) -> IndexClass {
        if let tenant = scopedAliases[name] { return .scopedAlias(tenant: tenant) }
        if globalIndices.contains(where: { $0.matches(name) }) { return .global }
        // A remote cluster's index (`cluster:index`) is judged by its index part.
        let local = name.split(separator: ":", maxSplits: 1).last.map(String.init) ?? name
        if local.hasPrefix(".") { return .global }
        if indices.isEmpty { return .tenantOwned }
        if indices.contains(where: { $0.matches(local) || $0.matches(name) }) { return .tenantOwned }
        // A pattern the application searched (`activities-*`) reaches the tenant indices it covers.
        if local.contains("*"), indices.contains(where: { IndexPattern(local).matches($0.text.replacingOccurrences(of: "*", with: "x")) }) {
            return .tenantOwned
        }
        if local == "_all" || local == "*" { return .tenantOwned }
        return .notTenantOwned
    }

    /// Whether `field` (as a query names it) is a tenant field: the field itself or its
    /// `.keyword` sub-field.
    public func isTenantField(_ field: String) -> Bool {
        for f in tenantFields where field == f || field == f + ".keyword" { return true }
        return false
    }

    /// Whether `text` mentions a tenant field by name (a `query_string`, a script source).
    public func mentionsTenantField(_ text: String) -> Bool {
        tenantFields.contains { text.contains($0) }
    }
}
