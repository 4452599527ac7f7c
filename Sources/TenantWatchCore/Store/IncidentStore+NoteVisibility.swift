import GRDB

extension IncidentStore {
    /// Adds `note.visibility`; the notes already stored (and the `state: ...` notes) become
    /// internal, since nobody chose to show them to a customer.
    static func registerNoteVisibility(_ m: inout DatabaseMigrator) {
        m.registerMigration("note_visibility") { db in
            try db.execute(sql: """
                ALTER TABLE note ADD COLUMN visibility TEXT NOT NULL DEFAULT 'internal'
                    CHECK (visibility IN ('internal', 'customer'));
                """)
        }
    }
}
