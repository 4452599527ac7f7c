extension Configuration {
    /// `[search]`: which search indices hold tenant documents, and which field names the tenant.
    public struct Search: Sendable, Equatable {
        /// Document fields that hold the tenant id (`organization_id`). A field's `.keyword`
        /// sub-field counts as the field itself.
        public var tenantFields: [String] = []
        /// Tenant-owned indices: names or `*` patterns (`activities-*`). Empty: every index
        /// that is not global and not a system index (`.kibana`, `.security`: a leading dot) is
        /// tenant-owned once `tenant_fields` is set.
        public var indices: [String] = []
        /// Indices shared by design (help articles, plans): never flagged. Names or patterns.
        public var globalIndices: [String] = []
        /// Filtered aliases declared as confined to one tenant: alias name → tenant. A search an
        /// application addressed to such an alias is confined to that tenant whatever its body
        /// says (the server adds the alias filter). Slow logs name the concrete index, never the
        /// alias, so this only applies to searches read from audit lines.
        public var scopedAliases: [String: String] = [:]
        public init() {}

        /// Whether search judging is on: a tenant field is known.
        public var isConfigured: Bool { !tenantFields.isEmpty }
    }

    /// `[audit]` paths to a search the application logs with its request (optional).
    public struct AuditSearch: Sendable, Equatable {
        /// Dotted path to the query body: an object (one search), a JSON string, an NDJSON
        /// string (an `_msearch` body) or an array of bodies. Empty: not read.
        public var body: String = ""
        /// Dotted path to the index, alias or pattern it addressed (a string, comma list or array).
        public var index: String = ""
        public init() {}
    }
}

extension Configuration {
    /// `[export] safe_fields` as a bundle applies them: never the search body path (or a path
    /// under it, or one holding it). A search body is its caller's request data; it reaches a
    /// bundle only through `SearchLineFilter` (shape and tenant ids), whatever the allow-list says.
    public var bundleSafeFields: [String] {
        let body = auditSearch.body
        guard !body.isEmpty else { return export.safeFields }
        return export.safeFields.filter { f in f != body && !f.hasPrefix(body + ".") && !body.hasPrefix(f + ".") }
    }
}
