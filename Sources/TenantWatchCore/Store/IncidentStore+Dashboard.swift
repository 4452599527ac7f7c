import Foundation
import GRDB

/// What the dashboard reads from the store besides incidents: the evidence fields it searches
/// and filters on, and which incident a stream row's finding went to.
extension IncidentStore {
    /// One finding's searchable fields, as stored.
    public struct EvidenceFields: Sendable {
        public var incidentID: String
        public var tables: [String]
        public var application: String?
        public var route: String?
        /// Request id, trace id, cache key, statement, message (those present).
        public var fields: [String?]
    }

    /// The evidence fields of every finding of these incidents (all incidents when `ids` is nil),
    /// in finding order. One query, so the dashboard can search 10k incidents without opening each.
    public func evidenceFields(ids: Set<String>? = nil) throws -> [EvidenceFields] {
        let sql = "SELECT incident_id, tables, application, route, request_id, trace_id, cache_key, substr(statement, 1, 2048) AS statement, message FROM finding"
        return try pool.read { db in
            var rows: [Row] = []
            if let ids {
                let all = Array(ids)
                for start in stride(from: 0, to: all.count, by: 500) {
                    let chunk = Array(all[start..<min(start + 500, all.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    rows += try Row.fetchAll(db, sql: sql + " WHERE incident_id IN (\(marks)) ORDER BY id",
                                             arguments: StatementArguments(chunk))
                }
            } else {
                rows = try Row.fetchAll(db, sql: sql + " ORDER BY id")
            }
            return rows.map { row in
                let tablesJSON: String = row["tables"] ?? "[]"
                let tables = (try? JSONDecoder().decode([String].self, from: Data(tablesJSON.utf8))) ?? []
                return EvidenceFields(incidentID: row["incident_id"], tables: tables, application: row["application"],
                                      route: row["route"],
                                      fields: [row["request_id"], row["trace_id"], row["cache_key"], row["statement"], row["message"]])
            }
        }
    }

    /// The incident a finding with this aggregation key (`FindingAggregator.dedupKey`) went to.
    public func incidentID(forKey key: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT incident_id FROM finding WHERE dedup_key = ? ORDER BY id DESC LIMIT 1",
                                arguments: [key])
        }
    }
}
