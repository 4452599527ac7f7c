import Foundation
import TOMLKit

/// `[search]` and the `[audit] search_*` paths, read apart from the rest of the loader so the
/// search source stays one seam.
extension ConfigurationLoader {
    static let searchAuditKeys = ["search_body", "search_index"]

    static func readAuditSearch(_ t: TOMLTable, _ r: TableReader, into config: inout Configuration) throws {
        if let v = try r.string(t, "search_body") { config.auditSearch.body = v }
        if let v = try r.string(t, "search_index") { config.auditSearch.index = v }
        if config.auditSearch.body.isEmpty, !config.auditSearch.index.isEmpty {
            throw r.error("search_index", "needs search_body (the path to the query body the index goes with)")
        }
    }

    static func readSearch(_ t: TOMLTable, _ r: TableReader, into config: inout Configuration) throws {
        try r.allow(t, keys: ["tenant_fields", "indices", "global_indices", "scoped_aliases"])
        if let v = try r.strings(t, "tenant_fields") {
            guard !v.isEmpty else { throw r.error("tenant_fields", "needs at least one field name") }
            guard !v.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                throw r.error("tenant_fields", "must not contain an empty field name")
            }
            config.search.tenantFields = v
        }
        for key in ["indices", "global_indices"] {
            guard let v = try r.strings(t, key) else { continue }
            for pattern in v where !IndexPattern.isValid(pattern) {
                throw r.error(key, "\"\(pattern)\" is not an index name or pattern (no spaces, commas, quotes or slashes; * as a wildcard)")
            }
            if key == "indices" { config.search.indices = v } else { config.search.globalIndices = v }
        }
        if t["scoped_aliases"] != nil {
            guard let aliases = try r.table(t, "scoped_aliases") else { throw r.error("scoped_aliases", "must be a table") }
            for alias in aliases.keys.sorted() {
                guard let tenant = aliases[alias]?.string, !tenant.isEmpty else {
                    throw r.error("scoped_aliases.\(alias)", "must be the tenant the alias's filter confines it to (a string)")
                }
                guard IndexPattern.isValid(alias), !alias.contains("*") else {
                    throw r.error("scoped_aliases.\(alias)", "is not an alias name")
                }
                config.search.scopedAliases[alias] = tenant
            }
        }
        if config.search.tenantFields.isEmpty, !config.search.indices.isEmpty || !config.search.scopedAliases.isEmpty {
            throw r.error("tenant_fields", "is required when indices or scoped_aliases are set (the field that holds the tenant)")
        }
    }
}
