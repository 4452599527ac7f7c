import Foundation
import GRDB
import TenantWatchModel

/// One evidence bundle made for a customer tenant, as the store's chain keeps it.
public struct BundleExportRecord: Sendable, Equatable {
    public var forTenant: String
    public var sequence: Int
    public var incidentID: String
    public var manifestSHA256: String
    public var previousManifestSHA256: String?
    public var exportedAt: Timestamp
    public var file: String
}

extension IncidentStore {
    /// Every tenant the store knows of: callers and exposed/accessed tenants of incidents and findings.
    public func knownTenants() throws -> Set<String> {
        try pool.read { db in
            var out = Set<String>()
            for row in try Row.fetchAll(db, sql: "SELECT caller_tenant, exposed_tenants FROM incident") {
                if let c: String = row["caller_tenant"] { out.insert(c) }
                if let list = try? JSONDecoder().decode([String].self, from: Data((row["exposed_tenants"] as String).utf8)) {
                    out.formUnion(list)
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT caller_tenant, accessed_tenants FROM finding") {
                if let c: String = row["caller_tenant"] { out.insert(c) }
                if let list = try? JSONDecoder().decode([String].self, from: Data((row["accessed_tenants"] as String).utf8)) {
                    out.formUnion(list)
                }
            }
            out.remove("")
            return out
        }
    }

    /// The pseudonyms used in `forTenant`'s bundles, extended (and saved) for `tenants` not yet named.
    public func pseudonyms(forTenant: String, covering tenants: Set<String>) throws -> [String: String] {
        try pool.write { db in
            var existing: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tenant, pseudonym FROM bundle_pseudonym WHERE for_tenant = ?",
                                        arguments: [forTenant]) {
                existing[row["tenant"]] = row["pseudonym"]
            }
            let all = Pseudonymizer.assign(forTenant: forTenant, tenants: tenants.union(existing.keys), existing: existing)
            for (tenant, pseudonym) in all where existing[tenant] == nil {
                try db.execute(sql: "INSERT INTO bundle_pseudonym (for_tenant, tenant, pseudonym) VALUES (?, ?, ?)",
                               arguments: [forTenant, tenant, pseudonym])
            }
            return all
        }
    }

    /// The last bundle made for `forTenant`, if any.
    public func lastBundle(forTenant: String) throws -> BundleExportRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM bundle_export WHERE for_tenant = ? ORDER BY sequence DESC LIMIT 1",
                             arguments: [forTenant]).map(IncidentStore.bundle(from:))
        }
    }

    /// Every bundle made for `forTenant`, oldest first.
    public func bundles(forTenant: String) throws -> [BundleExportRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM bundle_export WHERE for_tenant = ? ORDER BY sequence",
                             arguments: [forTenant]).map(IncidentStore.bundle(from:))
        }
    }

    /// Appends a bundle to its tenant's chain. Fails (nothing written) when another export took
    /// the same sequence number meanwhile.
    public func recordBundle(_ r: BundleExportRecord) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO bundle_export (for_tenant, sequence, incident_id, manifest_sha256, previous_manifest_sha256,
                                           exported_at, file)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.forTenant, r.sequence, r.incidentID, r.manifestSHA256, r.previousManifestSHA256,
                                 r.exportedAt.microseconds, r.file])
        }
    }

    private static func bundle(from row: Row) -> BundleExportRecord {
        BundleExportRecord(forTenant: row["for_tenant"], sequence: row["sequence"], incidentID: row["incident_id"],
                           manifestSHA256: row["manifest_sha256"], previousManifestSHA256: row["previous_manifest_sha256"],
                           exportedAt: Timestamp(microseconds: row["exported_at"]), file: row["file"])
    }
}
