import GRDB

/// The sightings `live` stored since its checkpoints' settled time, by key: after a `kill -9`
/// it reads again from a correlation window back, and a sighting found twice must be counted
/// once. Older sightings are deleted with each commit (they are never read again), so the table
/// holds about a window's worth.
public struct SightingBatch: Sendable {
    /// New sightings: their key (`ScanPipeline.sightingKey`) and log time in microseconds.
    public var added: [(key: String, time: Int64)] = []
    /// Sightings before this log time can no longer come back: forget them.
    public var forgetBefore: Int64?

    public init(added: [(key: String, time: Int64)] = [], forgetBefore: Int64? = nil) {
        self.added = added
        self.forgetBefore = forgetBefore
    }

    public var isEmpty: Bool { added.isEmpty && forgetBefore == nil }
}

extension IncidentStore {
    /// Every remembered sighting key (a window's worth).
    public func sightingKeys() throws -> Set<String> {
        do {
            return try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT key FROM sighting")) }
        } catch let error as DatabaseError {
            throw IncidentStore.map(error, path: path, opening: false)
        }
    }

    func save(_ batch: SightingBatch, db: Database) throws {
        for s in batch.added {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO sighting (key, time) VALUES (?, ?)").execute(arguments: [s.key, s.time])
        }
        if let before = batch.forgetBefore {
            try db.execute(sql: "DELETE FROM sighting WHERE time < ?", arguments: [before])
        }
    }
}
