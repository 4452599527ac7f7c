import Foundation
import GRDB
import Testing
@testable import TenantWatchCore

@Suite struct ExportStoreMigrationTests {
    /// A store written before bundles existed (v1 only) gains the chain tables when opened, its
    /// incidents untouched.
    @Test func aV1StoreIsMigratedToV2() throws {
        let dir = TempDir()
        let path = dir.file("old.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try IncidentStore.migrator.migrate(queue, upTo: "v1")
            #expect(try queue.read { try $0.tableExists("bundle_export") } == false)
        }
        let store = try IncidentStore(path: path)
        #expect(try store.lastBundle(forTenant: "acme") == nil)
        let record = BundleExportRecord(forTenant: "acme", sequence: 1, incidentID: "INC-0001", manifestSHA256: "ab",
                                        previousManifestSHA256: nil, exportedAt: Timestamp(microseconds: 1), file: "a.zip")
        try store.recordBundle(record)
        #expect(try store.lastBundle(forTenant: "acme") == record)
        // The same sequence twice (two exports racing) is refused.
        #expect(throws: (any Error).self) { try store.recordBundle(record) }
    }
}
