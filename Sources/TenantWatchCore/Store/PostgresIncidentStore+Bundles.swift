import Foundation

/// Evidence bundles' chain and pseudonyms in the shared store (as `IncidentStore+Bundles`).
extension PostgresIncidentStore {
    public func knownTenants() throws -> Set<String> {
        try locked {
            var out = Set<String>()
            for row in try db.execute("SELECT caller_tenant, exposed_tenants FROM incident") {
                if let c = row.string("caller_tenant") { out.insert(c) }
                if let list = try? JSONDecoder().decode([String].self, from: Data(row.text("exposed_tenants").utf8)) {
                    out.formUnion(list)
                }
            }
            for row in try db.execute("SELECT DISTINCT caller_tenant, accessed_tenants FROM finding") {
                if let c = row.string("caller_tenant") { out.insert(c) }
                if let list = try? JSONDecoder().decode([String].self, from: Data(row.text("accessed_tenants").utf8)) {
                    out.formUnion(list)
                }
            }
            out.remove("")
            return out
        }
    }

    public func pseudonyms(forTenant: String, covering tenants: Set<String>) throws -> [String: String] {
        try write(touching: { _ in [] }) {
            var existing: [String: String] = [:]
            for row in try db.execute("SELECT tenant, pseudonym FROM bundle_pseudonym WHERE for_tenant = $1", [forTenant]) {
                existing[row.text("tenant")] = row.text("pseudonym")
            }
            let all = Pseudonymizer.assign(forTenant: forTenant, tenants: tenants.union(existing.keys), existing: existing)
            for (tenant, pseudonym) in all where existing[tenant] == nil {
                try db.execute("INSERT INTO bundle_pseudonym (for_tenant, tenant, pseudonym) VALUES ($1, $2, $3)",
                               [forTenant, tenant, pseudonym])
            }
            return all
        }
    }

    public func lastBundle(forTenant: String) throws -> BundleExportRecord? {
        try locked {
            try db.execute("SELECT * FROM bundle_export WHERE for_tenant = $1 ORDER BY sequence DESC LIMIT 1", [forTenant])
                .first.map(PostgresIncidentStore.bundle(from:))
        }
    }

    public func bundles(forTenant: String) throws -> [BundleExportRecord] {
        try locked {
            try db.execute("SELECT * FROM bundle_export WHERE for_tenant = $1 ORDER BY sequence", [forTenant])
                .map(PostgresIncidentStore.bundle(from:))
        }
    }

    /// Fails (nothing written) when another export took the same sequence number meanwhile.
    public func recordBundle(_ r: BundleExportRecord) throws {
        try write(touching: { _ in [] }) {
            try db.execute("""
                INSERT INTO bundle_export (for_tenant, sequence, incident_id, manifest_sha256, previous_manifest_sha256,
                                           exported_at, file)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [r.forTenant, r.sequence, r.incidentID, r.manifestSHA256, r.previousManifestSHA256,
                      r.exportedAt.microseconds, r.file])
        }
    }

    private static func bundle(from row: PostgresRow) -> BundleExportRecord {
        BundleExportRecord(forTenant: row.text("for_tenant"), sequence: row.int("sequence") ?? 0,
                           incidentID: row.text("incident_id"), manifestSHA256: row.text("manifest_sha256"),
                           previousManifestSHA256: row.string("previous_manifest_sha256"),
                           exportedAt: Timestamp(microseconds: row.int64("exported_at") ?? 0), file: row.text("file"))
    }
}
