import Foundation

/// The incident store in a PostgreSQL database shared by a fleet (`--store postgres://...`):
/// workers on many machines record findings into it, and on-call engineers' dashboards attach
/// to it and see each other's acks and notes (`takeChanges`, over LISTEN/NOTIFY).
///
/// Same schema and rules as the SQLite store (`PostgresSchema`, `IncidentRules`). Writers
/// serialize on one transaction-scoped advisory lock: deciding "same finding" and numbering the
/// next incident read what the previous writer wrote, as in SQLite's single writer. A finding's
/// delivery is recorded once (`delivery`, keyed by `IncidentRules.deliveryKey`, `ON CONFLICT`),
/// so a batch delivered again after a worker died before acknowledging it changes nothing.
///
/// One connection, used under a lock (the store is shared by the dashboard's threads); a second
/// one listens for changes once a dashboard asks for them.
public final class PostgresIncidentStore: IncidentStoring, @unchecked Sendable {
    public let url: PostgresURL
    public var location: String { url.redacted }
    /// Microseconds: a leak path quiet for longer opens a new incident when it recurs.
    public let window: Int64
    /// The NOTIFY channel every write announces the incidents it touched on.
    static let channel = "tenantwatch_store"
    /// The advisory lock writers (and migrations) take for their transaction.
    static let writeLock: Int64 = 0x7465_6e61_6e74
    /// A NOTIFY payload is limited to 8000 bytes; past this many, "everything" is sent instead.
    static let payloadLimit = 7000

    let lock = NSLock()
    let db: PostgresConnection
    private let clock: @Sendable () -> Timestamp
    var listener: PostgresChangeListener?

    /// Connects, and creates or migrates the schema. A database migrated by a newer tenantwatch
    /// is refused (`StoreError.newerSchema`).
    public init(url: String, windowSeconds: Int64 = 24 * 3600,
                clock: @escaping @Sendable () -> Timestamp = { Timestamp(seconds: Date().timeIntervalSince1970) }) throws {
        self.url = try PostgresURL(url)
        self.window = windowSeconds * 1_000_000
        self.clock = clock
        db = try PostgresConnection(self.url)
        try migrate()
    }

    deinit { listener?.stop() }

    /// The schema version of the database (0 for an empty one).
    public func schemaVersion() throws -> Int {
        try locked { Int(try db.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version").first?.int("v") ?? 0) }
    }

    private func migrate() throws {
        try locked {
            try db.transaction {
                try db.execute("SELECT pg_advisory_xact_lock($1)", [PostgresIncidentStore.writeLock])
                try db.execute("""
                    CREATE TABLE IF NOT EXISTS schema_version (
                        version INTEGER PRIMARY KEY,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                    """)
                let version = try db.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version").first?.int("v") ?? 0
                if version > PostgresSchema.current { throw StoreError.newerSchema(path: location) }
                for v in version..<PostgresSchema.current {
                    try db.executeScript(PostgresSchema.migrations[v])
                    try db.execute("INSERT INTO schema_version (version) VALUES ($1)", [v + 1])
                }
            }
        }
    }

    func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// A write transaction: under the writers' advisory lock, announcing the incidents it touched.
    @discardableResult
    func write<T>(touching: (T) -> Set<String>, _ body: () throws -> T) throws -> T {
        try locked {
            try db.transaction {
                try db.execute("SELECT pg_advisory_xact_lock($1)", [PostgresIncidentStore.writeLock])
                let value = try body()
                let ids = touching(value)
                if !ids.isEmpty {
                    var payload = String(decoding: try JSONEncoder().encode(ids.sorted()), as: UTF8.self)
                    if payload.utf8.count > PostgresIncidentStore.payloadLimit { payload = "*" }
                    // Delivered on commit only, to every listener (ours ignores its own).
                    try db.execute("SELECT pg_notify($1, $2)", [PostgresIncidentStore.channel, payload])
                }
                return value
            }
        }
    }

    // MARK: writing

    @discardableResult
    public func commit(findings: [(Finding, [TimelineEntry])], checkpoints: [SourceCheckpoint],
                       sightings: SightingBatch) throws -> [RecordResult] {
        let now = clock()
        return try write(touching: { Set($0.map(\.incidentID)) }) {
            var results: [RecordResult] = []
            results.reserveCapacity(findings.count)
            for (finding, timeline) in findings {
                results.append(try record(finding, timeline: timeline, now: now))
            }
            for c in checkpoints { try save(c, now: now) }
            for s in sightings.added {
                try db.execute("INSERT INTO sighting (key, time) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [s.key, s.time])
            }
            if let before = sightings.forgetBefore {
                try db.execute("DELETE FROM sighting WHERE time < $1", [before])
            }
            return results
        }
    }

    private func save(_ c: SourceCheckpoint, now: Timestamp) throws {
        try db.execute("""
            INSERT INTO checkpoint (path, device, inode, "offset", line, head_hash, head_length, updated_at,
                                    read_offset, read_line, settled_before)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode,
                "offset" = excluded."offset", line = excluded.line, head_hash = excluded.head_hash,
                head_length = excluded.head_length, updated_at = excluded.updated_at,
                read_offset = excluded.read_offset, read_line = excluded.read_line,
                settled_before = excluded.settled_before
            """, [c.path, Int64(bitPattern: c.device), Int64(bitPattern: c.inode), c.offset, c.lineNumber,
                  String(c.headHash, radix: 16), c.headLength, (c.updatedAt ?? now).microseconds,
                  c.readOffset, c.readLine, c.settledBefore])
    }

    private func record(_ f: Finding, timeline: [TimelineEntry], now: Timestamp) throws -> RecordResult {
        // Delivered before (a redelivered batch): already counted, change nothing.
        let delivery = IncidentRules.deliveryKey(f)
        if let row = try db.execute("SELECT incident_id FROM delivery WHERE key = $1", [delivery]).first {
            return RecordResult(incidentID: row.text("incident_id"), isNewIncident: false, isNewFinding: false)
        }
        let result = try recordSighting(f, timeline: timeline, now: now)
        try db.execute("INSERT INTO delivery (key, incident_id, time) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                       [delivery, result.incidentID, IncidentRules.occurred(f)])
        return result
    }

    /// `IncidentStore.record`, statement for statement.
    private func recordSighting(_ f: Finding, timeline: [TimelineEntry], now: Timestamp) throws -> RecordResult {
        let key = IncidentRules.findingKey(f)
        let occurred = IncidentRules.occurred(f)

        // The same finding recorded before (a re-read, or a new sighting within the window).
        if let row = try db.execute("""
            SELECT f.id, f.incident_id, f.last_seen, f.severity, f.evidence, i.state
            FROM finding f JOIN incident i ON i.id = f.incident_id
            WHERE md5(f.dedup_key) = md5($1) AND f.dedup_key = $1 ORDER BY f.id DESC LIMIT 1
            """, [key]).first {
            let state = IncidentState(rawValue: row.text("state")) ?? .open
            if IncidentRules.joinsFinding(occurred: occurred, lastSeen: row.int64("last_seen"), state: state, window: window) {
                let incidentID = row.text("incident_id")
                let evidence = IncidentRules.mergeEvidence(try decode([IncidentStore.EvidenceJSON].self, row.text("evidence")),
                                                           with: f, limit: IncidentStore.evidenceLimit)
                let severity = max(Severity(rawValue: row.text("severity")) ?? f.severity, f.severity)
                try db.execute("""
                    UPDATE finding SET count = count + $1, severity = $2, evidence = $3,
                        first_seen = CASE WHEN first_seen IS NULL OR $5::bigint < first_seen THEN $5::bigint ELSE first_seen END,
                        last_seen = CASE WHEN last_seen IS NULL OR $6::bigint > last_seen THEN $6::bigint ELSE last_seen END
                    WHERE id = $4
                    """, [max(f.count, 1), severity.rawValue, try encode(evidence), row.int64("id") ?? 0,
                          f.time?.microseconds ?? f.lastSeen?.microseconds, f.lastSeen?.microseconds ?? f.time?.microseconds])
                try fold(f, into: incidentID, newFinding: false)
                try insert(timeline, incidentID: incidentID)
                return RecordResult(incidentID: incidentID, isNewIncident: false, isNewFinding: false)
            }
        }

        // A new finding: the open incident of its leak path, or a new one.
        let pathKey = IncidentRules.pathKey(f)
        var incidentID: String?
        if let row = try db.execute("""
            SELECT id, last_seen, state FROM incident WHERE md5(path_key) = md5($1) AND path_key = $1
            ORDER BY number DESC LIMIT 1
            """, [pathKey]).first {
            let state = IncidentState(rawValue: row.text("state")) ?? .open
            if IncidentRules.joinsIncident(occurred: occurred, lastSeen: row.int64("last_seen"), state: state, window: window) {
                incidentID = row.text("id")
            }
        }
        var isNew = false
        if incidentID == nil {
            let number = (try db.execute("SELECT coalesce(max(number), 0) AS n FROM incident").first?.int("n") ?? 0) + 1
            let id = IncidentGrouper.format(number)
            try db.execute("""
                INSERT INTO incident (id, number, family, path_key, kinds, severity, caller_tenant, exposed_tenants,
                                      title, state, first_seen, last_seen, finding_count, occurrences, created_at)
                VALUES ($1, $2, $3, $4, '[]', $5, $6, '[]', $7, 'open', NULL, NULL, 0, 0, $8)
                """, [id, number, f.kind.family, pathKey, f.severity.rawValue, f.callerTenant,
                      IncidentStore.title(f), now.microseconds])
            incidentID = id
            isNew = true
        }
        let id = incidentID!
        // Tokens are kept as a hash plus their claims (`StoredSecrets`), never whole.
        let statement = StoredSecrets.protect(f.statement), message = StoredSecrets.protect(f.message)
        try db.execute("""
            INSERT INTO finding (incident_id, dedup_key, kind, severity, first_seen, last_seen, count, trace_id, request_id,
                                 caller_tenant, accessed_tenants, tables, application, route, statement, fingerprint,
                                 cache_key, message, evidence)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            """, [id, key, f.kind.rawValue, f.severity.rawValue,
                  f.time?.microseconds ?? f.lastSeen?.microseconds, f.lastSeen?.microseconds ?? f.time?.microseconds,
                  max(f.count, 1), f.traceID, f.requestID, f.callerTenant, try encode(f.accessedTenants),
                  try encode(f.tables), f.application, f.route, statement, f.fingerprint, f.cacheKey, message,
                  try encode(Array(f.evidence.prefix(IncidentStore.evidenceLimit)).map(IncidentStore.EvidenceJSON.init))])
        try fold(f, into: id, newFinding: true)
        try insert(timeline, incidentID: id)
        return RecordResult(incidentID: id, isNewIncident: isNew, isNewFinding: true)
    }

    /// Updates an incident's kinds, severity, exposed tenants, times and counts with one finding.
    private func fold(_ f: Finding, into id: String, newFinding: Bool) throws {
        guard let row = try db.execute("SELECT kinds, severity, exposed_tenants, first_seen, last_seen FROM incident WHERE id = $1",
                                       [id]).first else { throw StoreError.noSuchIncident(id) }
        var fold = IncidentRules.Fold(kinds: try decode([String].self, row.text("kinds")),
                                      exposed: try decode([String].self, row.text("exposed_tenants")),
                                      severity: Severity(rawValue: row.text("severity")) ?? f.severity,
                                      firstSeen: row.int64("first_seen"), lastSeen: row.int64("last_seen"))
        fold.absorb(f)
        try db.execute("""
            UPDATE incident SET kinds = $1, severity = $2, exposed_tenants = $3, first_seen = $4, last_seen = $5,
                finding_count = finding_count + $6, occurrences = occurrences + $7
            WHERE id = $8
            """, [try encode(fold.kinds), fold.severity.rawValue, try encode(fold.exposed), fold.firstSeen, fold.lastSeen,
                  newFinding ? 1 : 0, max(f.count, 1), id])
    }

    private func insert(_ timeline: [TimelineEntry], incidentID: String) throws {
        guard !timeline.isEmpty else { return }
        var room = IncidentStore.timelineLimit
            - (try db.execute("SELECT count(*) AS n FROM timeline_event WHERE incident_id = $1", [incidentID]).first?.int("n") ?? 0)
        for e in timeline where room > 0 {
            let summary = StoredSecrets.protect(e.summary), raw = StoredSecrets.protect(e.raw)
            let binds = e.bindValues.isEmpty ? nil : try encode(e.bindValues.map(StoredSecrets.protect))
            let inserted = try db.execute("""
                INSERT INTO timeline_event (incident_id, time, source, line, end_line, kind, summary, raw,
                                            raw_truncated, bind_values)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT DO NOTHING RETURNING id
                """, [incidentID, e.time?.microseconds, e.position?.file, e.position?.line, e.position?.endLine,
                      e.kind.rawValue, summary, raw, e.rawTruncated, binds])
            room -= inserted.count
        }
    }

    // MARK: workflow

    public func setState(_ id: String, _ state: IncidentState, author: String) throws {
        let id = IncidentStore.normalize(id)
        let now = clock()
        try write(touching: { _ in [id] }) {
            let changed = try db.execute("""
                UPDATE incident SET state = $1, state_changed_at = $2, state_changed_by = $3 WHERE id = $4 RETURNING id
                """, [state.rawValue, now.microseconds, author, id])
            if changed.isEmpty { throw StoreError.noSuchIncident(id) }
            try db.execute("INSERT INTO note (incident_id, author, time, text) VALUES ($1, $2, $3, $4)",
                           [id, author, now.microseconds, "state: \(state.rawValue)"])
        }
    }

    public func addNote(_ id: String, author: String, text: String, visibility: NoteVisibility = .internal) throws {
        let id = IncidentStore.normalize(id)
        let now = clock()
        try write(touching: { _ in [id] }) {
            guard try !db.execute("SELECT 1 FROM incident WHERE id = $1", [id]).isEmpty else {
                throw StoreError.noSuchIncident(id)
            }
            try db.execute("INSERT INTO note (incident_id, author, time, text, visibility) VALUES ($1, $2, $3, $4, $5)",
                           [id, author, now.microseconds, text, visibility.rawValue])
        }
    }

    // MARK: JSON columns (as the SQLite store writes them)

    func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt(path: location, reason: "a stored JSON value does not parse")
        }
    }
}
