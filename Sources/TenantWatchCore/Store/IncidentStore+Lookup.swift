import GRDB

extension IncidentStore {
    /// The incident each finding was recorded in (by its aggregation key), nil where it was not:
    /// `incidentID(for:)` for many findings in one read. `scan --store` numbers every finding it
    /// prints; one read transaction each cost more than recording them under a leak storm.
    public func incidentIDs(for findings: [Finding]) throws -> [String?] {
        guard !findings.isEmpty else { return [] }
        do {
            return try pool.read { db in
                let lookup = try db.cachedStatement(
                    sql: "SELECT incident_id FROM finding WHERE dedup_key = ? ORDER BY id DESC LIMIT 1")
                return try findings.map { f in
                    try String.fetchOne(lookup, arguments: [IncidentRules.findingKey(f)])
                }
            }
        } catch let error as DatabaseError {
            throw IncidentStore.map(error, path: path, opening: false)
        }
    }
}
