import GRDB

/// Redelivery protection, the rule the PostgreSQL store has had from its first schema: one
/// delivery of one sighting (`IncidentRules.deliveryKey`: the same finding with the same times,
/// count and evidence lines) is recorded once. Recording it again, say a batch retried after a
/// crash between commit and acknowledgement, returns the incident it went to and changes
/// nothing. A new sighting (another line, another time) is another delivery and still counts.
extension IncidentStore {
    /// Adds `delivery`. Stores written before it hold no keys: their past sightings are not
    /// protected, every one recorded from now on is.
    static func registerDelivery(_ m: inout DatabaseMigrator) {
        m.registerMigration("delivery") { db in
            try db.execute(sql: """
                CREATE TABLE delivery (
                    key TEXT PRIMARY KEY NOT NULL,
                    incident_id TEXT NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
                    time INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
    }

    /// The incident a delivery went to, when it was recorded before.
    func deliveredIncident(_ key: String, db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT incident_id FROM delivery WHERE key = ?"), arguments: [key])
    }

    func recordDelivery(_ key: String, incidentID: String, time: Int64, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO delivery (key, incident_id, time) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING")
            .execute(arguments: [key, incidentID, time])
    }
}
