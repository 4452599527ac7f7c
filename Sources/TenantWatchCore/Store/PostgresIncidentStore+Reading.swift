import Foundation

/// Reading the shared store: the same queries, orders and row shapes as `IncidentStore`.
extension PostgresIncidentStore {
    public func checkpoints() throws -> [String: SourceCheckpoint] {
        try locked {
            var out: [String: SourceCheckpoint] = [:]
            for row in try db.execute("SELECT * FROM checkpoint") {
                var c = SourceCheckpoint(path: row.text("path"), device: UInt64(bitPattern: row.int64("device") ?? 0),
                                         inode: UInt64(bitPattern: row.int64("inode") ?? 0), offset: row.int64("offset") ?? 0,
                                         lineNumber: row.int("line") ?? 0,
                                         headHash: UInt64(row.text("head_hash"), radix: 16) ?? 0,
                                         headLength: row.int("head_length") ?? 0,
                                         updatedAt: Timestamp(microseconds: row.int64("updated_at") ?? 0))
                c.readOffset = row.int64("read_offset")
                c.readLine = row.int("read_line")
                c.settledBefore = row.int64("settled_before")
                out[c.path] = c
            }
            return out
        }
    }

    public func sightingKeys() throws -> Set<String> {
        try locked { Set(try db.execute("SELECT key FROM sighting").map { $0.text("key") }) }
    }

    public func incidents(state: IncidentState?) throws -> [StoredIncident] {
        try locked {
            let rows = try state.map { try db.execute("SELECT * FROM incident WHERE state = $1 ORDER BY number", [$0.rawValue]) }
                ?? db.execute("SELECT * FROM incident ORDER BY number")
            return try rows.map(incident(from:))
        }
    }

    public func incidents(ids: Set<String>) throws -> [StoredIncident] {
        guard !ids.isEmpty else { return [] }
        return try locked {
            try db.execute("SELECT * FROM incident WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY number", [PostgresIncidentStore.array(ids)])
                .map(incident(from:))
        }
    }

    public func incident(_ id: String) throws -> IncidentDetail {
        let id = IncidentStore.normalize(id)
        return try locked {
            guard let row = try db.execute("SELECT * FROM incident WHERE id = $1", [id]).first else {
                throw StoreError.noSuchIncident(id)
            }
            let incident = try incident(from: row)
            let findings = try db.execute("SELECT * FROM finding WHERE incident_id = $1 ORDER BY id", [id]).map(finding(from:))
            // SQLite sorts text by bytes: `COLLATE "C"` sorts the same.
            let timeline = try db.execute("""
                SELECT * FROM timeline_event WHERE incident_id = $1
                ORDER BY time NULLS FIRST, coalesce(source, '') COLLATE "C", coalesce(line, 0), id
                """, [id]).map(entry(from:))
            let notes = try db.execute("SELECT * FROM note WHERE incident_id = $1 ORDER BY id", [id]).map {
                IncidentNote(author: $0.text("author"), time: Timestamp(microseconds: $0.int64("time") ?? 0), text: $0.text("text"),
                             visibility: NoteVisibility(rawValue: $0.text("visibility")) ?? .internal)
            }
            return IncidentDetail(incident: incident, findings: findings, timeline: timeline, notes: notes)
        }
    }

    public func incidentID(forKey key: String) throws -> String? {
        try locked {
            try db.execute("""
                SELECT incident_id FROM finding WHERE md5(dedup_key) = md5($1) AND dedup_key = $1 ORDER BY id DESC LIMIT 1
                """, [key]).first?.string("incident_id")
        }
    }

    public func evidenceFields(ids: Set<String>?) throws -> [IncidentStore.EvidenceFields] {
        let sql = """
            SELECT incident_id, tables, application, route, request_id, trace_id, cache_key,
                   substr(statement, 1, 2048) AS statement, message FROM finding
            """
        return try locked {
            let rows = try ids.map { try db.execute(sql + " WHERE incident_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY id", [PostgresIncidentStore.array($0)]) }
                ?? db.execute(sql + " ORDER BY id")
            return rows.map { row in
                let tables = (try? JSONDecoder().decode([String].self, from: Data((row.string("tables") ?? "[]").utf8))) ?? []
                return IncidentStore.EvidenceFields(
                    incidentID: row.text("incident_id"), tables: tables, application: row.string("application"),
                    route: row.string("route"),
                    fields: [row.string("request_id"), row.string("trace_id"), row.string("cache_key"), row.string("statement"),
                             row.string("message")])
            }
        }
    }

    public func takeChanges() -> StoreChanges {
        lock.lock()
        if listener == nil { listener = PostgresChangeListener(url: url, ownPID: db.backendPID) }
        let l = listener!
        lock.unlock()
        return l.take()
    }

    // MARK: rows

    /// A set of ids as one JSON array parameter (`id IN (SELECT jsonb_array_elements_text($1))`):
    /// any number of ids in one statement, encoded by JSONEncoder rather than quoted by hand.
    static func array(_ values: Set<String>) -> String {
        String(decoding: (try? JSONEncoder().encode(values.sorted())) ?? Data("[]".utf8), as: UTF8.self)
    }

    func incident(from row: PostgresRow) throws -> StoredIncident {
        StoredIncident(
            id: row.text("id"), number: row.int("number") ?? 0, family: row.text("family"), pathKey: row.text("path_key"),
            kinds: try decode([String].self, row.text("kinds")).compactMap(FindingKind.init(rawValue:)),
            severity: Severity(rawValue: row.text("severity")) ?? .info, callerTenant: row.string("caller_tenant"),
            exposedTenants: try decode([String].self, row.text("exposed_tenants")), title: row.text("title"),
            state: IncidentState(rawValue: row.text("state")) ?? .open,
            firstSeen: row.int64("first_seen").map(Timestamp.init(microseconds:)),
            lastSeen: row.int64("last_seen").map(Timestamp.init(microseconds:)),
            findingCount: row.int("finding_count") ?? 0, occurrences: row.int("occurrences") ?? 0,
            stateChangedAt: row.int64("state_changed_at").map(Timestamp.init(microseconds:)),
            stateChangedBy: row.string("state_changed_by"))
    }

    func finding(from row: PostgresRow) throws -> Finding {
        var f = Finding(kind: FindingKind(rawValue: row.text("kind")) ?? .missingTenantPredicate,
                        severity: Severity(rawValue: row.text("severity")) ?? .info,
                        time: row.int64("first_seen").map(Timestamp.init(microseconds:)),
                        message: row.text("message"), count: row.int("count") ?? 1, incident: row.string("incident_id"),
                        traceID: row.string("trace_id"), requestID: row.string("request_id"),
                        callerTenant: row.string("caller_tenant"),
                        accessedTenants: try decode([String].self, row.text("accessed_tenants")),
                        tables: try decode([String].self, row.text("tables")), application: row.string("application"),
                        route: row.string("route"), statement: row.string("statement"), fingerprint: row.string("fingerprint"),
                        cacheKey: row.string("cache_key"),
                        evidence: try decode([IncidentStore.EvidenceJSON].self, row.text("evidence")).map(\.position))
        f.lastSeen = row.int64("last_seen").map(Timestamp.init(microseconds:))
        return f
    }

    func entry(from row: PostgresRow) throws -> TimelineEntry {
        var position: SourcePosition?
        if let source = row.string("source") {
            let line = row.int("line") ?? 0
            position = SourcePosition(file: source, line: line, endLine: row.int("end_line") ?? line)
        }
        return TimelineEntry(kind: TimelineEntry.Kind(rawValue: row.text("kind")) ?? .finding,
                             time: row.int64("time").map(Timestamp.init(microseconds:)), position: position,
                             summary: row.text("summary"), storedRaw: row.string("raw"), rawTruncated: row.bool("raw_truncated"),
                             bindValues: try row.string("bind_values").map { try decode([String?].self, $0) } ?? [])
    }
}
