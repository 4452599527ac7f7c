import Foundation
import GRDB
import Testing
@testable import TenantWatchCore

/// Note visibility in the store: what is asked for is kept, the default is internal, and a store
/// written before visibility existed has all its notes internal once opened.
@Suite struct NoteVisibilityStoreTests {
    let clock: @Sendable () -> Timestamp = { Timestamp(microseconds: 1_800_000_000_000_000) }

    func finding() -> Finding {
        Finding(kind: .missingTenantPredicate, severity: .high, time: Timestamp(microseconds: 1_000_000), message: "leak",
                callerTenant: "acme", accessedTenants: ["globex"], tables: ["invoices"], statement: "SELECT * FROM invoices",
                fingerprint: "fp", evidence: [SourcePosition(file: "pg.log", line: 1)])
    }

    @Test func keepsTheVisibilityAskedForAndDefaultsToInternal() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"), clock: clock)
        let id = try store.record(finding()).incidentID
        try store.addNote(id, author: "ana", text: "paged the db team")
        try store.addNote(id, author: "ana", text: "we are investigating", visibility: .customer)
        try store.setState(id, .acknowledged, author: "bo")
        let notes = try store.incident(id).notes
        #expect(notes.map(\.text) == ["paged the db team", "we are investigating", "state: acknowledged"])
        #expect(notes.map(\.visibility) == [.internal, .customer, .internal])
    }

    @Test func notesOfAStoreWrittenBeforeVisibilityBecomeInternal() throws {
        let dir = TempDir()
        let path = dir.file("old.sqlite")
        // The schema as the release before this one left it, with a note in it.
        do {
            let queue = try DatabaseQueue(path: path)
            try IncidentStore.migrator.migrate(queue, upTo: "v3")
            try queue.write { db in
                #expect(try !db.columns(in: "note").map(\.name).contains("visibility"))
                try db.execute(sql: """
                    INSERT INTO incident (id, number, family, path_key, kinds, severity, exposed_tenants, title, state, created_at)
                    VALUES ('INC-0001', 1, 'data', 'k', '["missing_tenant_predicate"]', 'high', '["globex"]', 't', 'open', 0)
                    """)
                try db.execute(sql: "INSERT INTO note (incident_id, author, time, text) VALUES ('INC-0001', 'ana', 5, 'called globex')")
            }
        }
        let store = try IncidentStore(path: path, clock: clock)
        let notes = try store.incident("INC-0001").notes
        #expect(notes.map(\.text) == ["called globex"] && notes.map(\.visibility) == [.internal])
        // A new note after the migration still records what it asks for.
        try store.addNote("INC-0001", author: "ana", text: "customer told", visibility: .customer)
        #expect(try store.incident("INC-0001").notes.map(\.visibility) == [.internal, .customer])
    }

    @Test func showSaysWhichNoteIsWhich() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"), clock: clock)
        let id = try store.record(finding()).incidentID
        try store.addNote(id, author: "ana", text: "internal guess")
        try store.addNote(id, author: "ana", text: "for the customer", visibility: .customer)
        let d = try store.incident(id)
        let text = IncidentPrinter.text(d)
        #expect(text.contains("[internal] ana: internal guess") && text.contains("[customer-visible] ana: for the customer"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(IncidentPrinter.json(d).utf8)) as? [String: Any])
        let notes = try #require(json["notes"] as? [[String: Any]])
        #expect(notes.map { $0["visibility"] as? String } == ["internal", "customer"])
    }
}
