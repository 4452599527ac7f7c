import Foundation
import GRDB
import TenantWatchModel

/// Findings, incidents, their evidence timelines, notes and source checkpoints in one SQLite
/// file (WAL, `synchronous=NORMAL`, busy timeout), written as they happen.
///
/// Incidents are assigned like `IncidentGrouper` does in memory (same leak path within
/// `window` = same incident), but from the database: numbers continue from the highest stored
/// one and an incident stays joinable across restarts. A finding that was recorded before (same
/// `FindingAggregator` key, within the window) updates its row's count and last-seen instead of
/// adding a row. `commit` writes a batch of findings and the checkpoints that cover them in one
/// transaction, so after a crash the checkpoints never run ahead of, or behind, the findings.
public final class IncidentStore: Sendable {
    /// The default path (relative to the working directory), per the contract.
    public static let defaultPath = ".tenantwatch/incidents.sqlite"
    /// Evidence lines kept per finding (as `FindingAggregator`).
    public static let evidenceLimit = 20
    /// Timeline entries kept per incident; later ones are dropped (the findings still count).
    public static let timelineLimit = 2000

    public let path: String
    /// Microseconds: a leak path quiet for longer opens a new incident when it recurs.
    public let window: Int64
    let pool: DatabasePool
    private let clock: @Sendable () -> Timestamp

    /// Opens (or creates, with its parent directories) the store at `path` and migrates it.
    public init(path: String, windowSeconds: Int64 = 24 * 3600,
                clock: @escaping @Sendable () -> Timestamp = { Timestamp(seconds: Date().timeIntervalSince1970) }) throws {
        self.path = path
        self.window = windowSeconds * 1_000_000
        self.clock = clock
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                // 0700: the store quotes other people's requests and statements.
                if !FileManager.default.fileExists(atPath: directory) {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                }
            } catch {
                throw StoreError.cannotCreateDirectory(path: path, reason: IncidentStore.reason(error))
            }
        }
        IncidentStore.restrictPermissions(path)
        var config = GRDB.Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.label = "tenantwatch.store"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw IncidentStore.map(error, path: path, opening: true)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: IncidentStore.reason(error))
        }
        let migrator = IncidentStore.migrator
        do {
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: path) }
            try migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw IncidentStore.map(error, path: path, opening: true)
        }
    }

    /// The store and its `-wal`/`-shm`/`-journal` are readable by their owner only (0600):
    /// created so before SQLite opens it (SQLite gives its WAL and SHM files the database file's
    /// mode), and an existing store of ours that is group- or world-readable is tightened.
    static func restrictPermissions(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        for p in [path, path + "-wal", path + "-shm", path + "-journal"] {
            var st = stat()
            guard lstat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == getuid(), st.st_mode & 0o077 != 0 else { continue }
            chmod(p, st.st_mode & 0o700)
        }
    }

    // MARK: schema

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE incident (
                    id TEXT PRIMARY KEY NOT NULL,
                    number INTEGER NOT NULL UNIQUE,
                    family TEXT NOT NULL,
                    path_key TEXT NOT NULL,
                    kinds TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    caller_tenant TEXT,
                    exposed_tenants TEXT NOT NULL,
                    title TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
                    first_seen INTEGER,
                    last_seen INTEGER,
                    finding_count INTEGER NOT NULL DEFAULT 0,
                    occurrences INTEGER NOT NULL DEFAULT 0,
                    state_changed_at INTEGER,
                    state_changed_by TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX incident_by_path ON incident(path_key, number);
                CREATE INDEX incident_by_state ON incident(state, number);

                CREATE TABLE finding (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    incident_id TEXT NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
                    dedup_key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    first_seen INTEGER,
                    last_seen INTEGER,
                    count INTEGER NOT NULL CHECK (count >= 1),
                    trace_id TEXT,
                    request_id TEXT,
                    caller_tenant TEXT,
                    accessed_tenants TEXT NOT NULL,
                    tables TEXT NOT NULL,
                    application TEXT,
                    route TEXT,
                    statement TEXT,
                    fingerprint TEXT,
                    cache_key TEXT,
                    message TEXT NOT NULL,
                    evidence TEXT NOT NULL
                );
                CREATE INDEX finding_by_dedup ON finding(dedup_key, id);
                CREATE INDEX finding_by_incident ON finding(incident_id, id);

                CREATE TABLE timeline_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    incident_id TEXT NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
                    time INTEGER,
                    source TEXT,
                    line INTEGER,
                    end_line INTEGER,
                    kind TEXT NOT NULL CHECK (kind IN ('request', 'statement', 'session_setting', 'cache_command', 'response', 'finding')),
                    summary TEXT NOT NULL,
                    raw TEXT,
                    raw_truncated INTEGER NOT NULL DEFAULT 0,
                    bind_values TEXT
                );
                CREATE UNIQUE INDEX timeline_event_once ON timeline_event(incident_id, kind, ifnull(source, ''), ifnull(line, 0), summary);
                CREATE INDEX timeline_by_incident ON timeline_event(incident_id, time, source, line);

                CREATE TABLE note (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    incident_id TEXT NOT NULL REFERENCES incident(id) ON DELETE CASCADE,
                    author TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    text TEXT NOT NULL
                );
                CREATE INDEX note_by_incident ON note(incident_id, id);

                CREATE TABLE checkpoint (
                    path TEXT PRIMARY KEY NOT NULL,
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    offset INTEGER NOT NULL CHECK (offset >= 0),
                    line INTEGER NOT NULL CHECK (line >= 0),
                    head_hash TEXT NOT NULL,
                    head_length INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        // Evidence bundles: the chain of manifests per customer tenant (so a missing bundle
        // shows), and the pseudonyms each customer's bundles use for the other tenants (so
        // `tenant-1` means the same tenant in every bundle one customer gets).
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE bundle_export (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    for_tenant TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    incident_id TEXT NOT NULL,
                    manifest_sha256 TEXT NOT NULL,
                    previous_manifest_sha256 TEXT,
                    exported_at INTEGER NOT NULL,
                    file TEXT NOT NULL,
                    UNIQUE (for_tenant, sequence)
                );
                CREATE TABLE bundle_pseudonym (
                    for_tenant TEXT NOT NULL,
                    tenant TEXT NOT NULL,
                    pseudonym TEXT NOT NULL,
                    PRIMARY KEY (for_tenant, tenant),
                    UNIQUE (for_tenant, pseudonym)
                );
                """)
        }
        // Crash safety for `live`: checkpoints that resume a correlation window behind the read
        // position (with where reading stood and the log time already settled), and the
        // sightings stored since then, so what is read again is recorded once (`IncidentStore+Sightings`).
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE checkpoint ADD COLUMN read_offset INTEGER;
                ALTER TABLE checkpoint ADD COLUMN read_line INTEGER;
                ALTER TABLE checkpoint ADD COLUMN settled_before INTEGER;
                CREATE TABLE sighting (
                    key TEXT PRIMARY KEY NOT NULL,
                    time INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX sighting_by_time ON sighting(time);
                """)
        }
        registerNoteVisibility(&m)
        registerDelivery(&m)
        return m
    }

    // MARK: writing

    /// Records one finding (with its timeline) in its own transaction.
    @discardableResult
    public func record(_ finding: Finding, timeline: [TimelineEntry] = []) throws -> RecordResult {
        try commit(findings: [(finding, timeline)], checkpoints: [])[0]
    }

    /// Records a batch of findings with their timelines, and the checkpoints of the sources read
    /// up to them, in one transaction: all of it is written, or (on any error) none of it.
    @discardableResult
    public func commit(findings: [(Finding, [TimelineEntry])], checkpoints: [SourceCheckpoint] = [],
                       sightings: SightingBatch = SightingBatch()) throws -> [RecordResult] {
        let now = clock()
        return try guarded {
            try pool.write { db in
                var results: [RecordResult] = []
                results.reserveCapacity(findings.count)
                for (finding, timeline) in findings {
                    results.append(try self.record(finding, timeline: timeline, now: now, db: db))
                }
                for c in checkpoints { try self.save(c, now: now, db: db) }
                try self.save(sightings, db: db)
                return results
            }
        }
    }

    /// Saves checkpoints alone (a batch that found nothing still advances).
    public func saveCheckpoints(_ checkpoints: [SourceCheckpoint]) throws {
        _ = try commit(findings: [], checkpoints: checkpoints)
    }

    private func save(_ c: SourceCheckpoint, now: Timestamp, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO checkpoint (path, device, inode, offset, line, head_hash, head_length, updated_at,
                                    read_offset, read_line, settled_before)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(path) DO UPDATE SET device = excluded.device, inode = excluded.inode,
                offset = excluded.offset, line = excluded.line, head_hash = excluded.head_hash,
                head_length = excluded.head_length, updated_at = excluded.updated_at,
                read_offset = excluded.read_offset, read_line = excluded.read_line,
                settled_before = excluded.settled_before
            """, arguments: [c.path, Int64(bitPattern: c.device), Int64(bitPattern: c.inode), c.offset, c.lineNumber,
                             String(c.headHash, radix: 16), c.headLength, (c.updatedAt ?? now).microseconds,
                             c.readOffset, c.readLine, c.settledBefore])
    }

    private func record(_ f: Finding, timeline: [TimelineEntry], now: Timestamp, db: Database) throws -> RecordResult {
        // Delivered before (the same sighting recorded again): already counted, change nothing.
        let delivery = IncidentRules.deliveryKey(f)
        if let incidentID = try deliveredIncident(delivery, db: db) {
            return RecordResult(incidentID: incidentID, isNewIncident: false, isNewFinding: false)
        }
        let result = try recordSighting(f, timeline: timeline, now: now, db: db)
        try recordDelivery(delivery, incidentID: result.incidentID, time: IncidentRules.occurred(f), db: db)
        return result
    }

    /// Records one sighting not delivered before: folds it into its finding or opens one.
    private func recordSighting(_ f: Finding, timeline: [TimelineEntry], now: Timestamp, db: Database) throws -> RecordResult {
        let key = IncidentRules.findingKey(f)
        let occurred = IncidentRules.occurred(f)

        // The same finding recorded before (a re-read, or a new sighting within the window).
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT f.id, f.incident_id, f.last_seen, f.severity, f.evidence, i.state
            FROM finding f JOIN incident i ON i.id = f.incident_id
            WHERE f.dedup_key = ? ORDER BY f.id DESC LIMIT 1
            """), arguments: [key]) {
            let last: Int64? = row["last_seen"]
            let state = IncidentState(rawValue: row["state"]) ?? .open
            if IncidentRules.joinsFinding(occurred: occurred, lastSeen: last, state: state, window: window) {
                let findingID: Int64 = row["id"]
                let incidentID: String = row["incident_id"]
                let evidence = IncidentRules.mergeEvidence(try decode([EvidenceJSON].self, row["evidence"] as String), with: f,
                                                           limit: IncidentStore.evidenceLimit)
                let severity = max(Severity(rawValue: row["severity"]) ?? f.severity, f.severity)
                try db.cachedStatement(sql: """
                    UPDATE finding SET count = count + ?1, severity = ?2, evidence = ?3,
                        first_seen = CASE WHEN first_seen IS NULL OR ?5 < first_seen THEN ?5 ELSE first_seen END,
                        last_seen = CASE WHEN last_seen IS NULL OR ?6 > last_seen THEN ?6 ELSE last_seen END
                    WHERE id = ?4
                    """).execute(
                    arguments: [max(f.count, 1), severity.rawValue, try encode(evidence), findingID,
                                f.time?.microseconds ?? f.lastSeen?.microseconds, f.lastSeen?.microseconds ?? f.time?.microseconds])
                try fold(f, into: incidentID, newFinding: false, db: db)
                try insert(timeline, incidentID: incidentID, db: db)
                return RecordResult(incidentID: incidentID, isNewIncident: false, isNewFinding: false)
            }
        }

        // A new finding: the open incident of its leak path, or a new one.
        let pathKey = IncidentRules.pathKey(f)
        var incidentID: String?
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, last_seen, state FROM incident WHERE path_key = ? ORDER BY number DESC LIMIT 1"),
                                      arguments: [pathKey]) {
            let last: Int64? = row["last_seen"]
            let state = IncidentState(rawValue: row["state"]) ?? .open
            if IncidentRules.joinsIncident(occurred: occurred, lastSeen: last, state: state, window: window) { incidentID = row["id"] }
        }
        var isNew = false
        if incidentID == nil {
            let number = (try Int.fetchOne(db.cachedStatement(sql: "SELECT max(number) FROM incident")) ?? 0) + 1
            let id = IncidentGrouper.format(number)
            try db.cachedStatement(sql: """
                INSERT INTO incident (id, number, family, path_key, kinds, severity, caller_tenant, exposed_tenants,
                                      title, state, first_seen, last_seen, finding_count, occurrences, created_at)
                VALUES (?, ?, ?, ?, '[]', ?, ?, '[]', ?, 'open', NULL, NULL, 0, 0, ?)
                """).execute(arguments: [id, number, f.kind.family, pathKey, f.severity.rawValue, f.callerTenant,
                                 IncidentStore.title(f), now.microseconds])
            incidentID = id
            isNew = true
        }
        let id = incidentID!
        // Tokens are kept as a hash plus their claims (`StoredSecrets`), never whole.
        let statement = StoredSecrets.protect(f.statement), message = StoredSecrets.protect(f.message)
        try db.cachedStatement(sql: """
            INSERT INTO finding (incident_id, dedup_key, kind, severity, first_seen, last_seen, count, trace_id, request_id,
                                 caller_tenant, accessed_tenants, tables, application, route, statement, fingerprint,
                                 cache_key, message, evidence)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, key, f.kind.rawValue, f.severity.rawValue,
                             f.time?.microseconds ?? f.lastSeen?.microseconds, f.lastSeen?.microseconds ?? f.time?.microseconds,
                             max(f.count, 1), f.traceID, f.requestID, f.callerTenant, try encode(f.accessedTenants),
                             try encode(f.tables), f.application, f.route, statement, f.fingerprint, f.cacheKey, message,
                             try encode(Array(f.evidence.prefix(IncidentStore.evidenceLimit)).map(EvidenceJSON.init))])
        try fold(f, into: id, newFinding: true, db: db)
        try insert(timeline, incidentID: id, db: db)
        return RecordResult(incidentID: id, isNewIncident: isNew, isNewFinding: true)
    }

    /// Updates an incident's kinds, severity, exposed tenants, times and counts with one finding.
    private func fold(_ f: Finding, into id: String, newFinding: Bool, db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT kinds, severity, exposed_tenants, first_seen, last_seen FROM incident WHERE id = ?"),
                                         arguments: [id]) else { throw StoreError.noSuchIncident(id) }
        var fold = IncidentRules.Fold(kinds: try decode([String].self, row["kinds"] as String),
                                      exposed: try decode([String].self, row["exposed_tenants"] as String),
                                      severity: Severity(rawValue: row["severity"]) ?? f.severity,
                                      firstSeen: row["first_seen"], lastSeen: row["last_seen"])
        fold.absorb(f)
        let (kinds, exposed, severity, first, last) = (fold.kinds, fold.exposed, fold.severity, fold.firstSeen, fold.lastSeen)
        try db.cachedStatement(sql: """
            UPDATE incident SET kinds = ?, severity = ?, exposed_tenants = ?, first_seen = ?, last_seen = ?,
                finding_count = finding_count + ?, occurrences = occurrences + ?
            WHERE id = ?
            """).execute(arguments: [try encode(kinds), severity.rawValue, try encode(exposed), first, last,
                             newFinding ? 1 : 0, max(f.count, 1), id])
    }

    private func insert(_ timeline: [TimelineEntry], incidentID: String, db: Database) throws {
        guard !timeline.isEmpty else { return }
        var room = IncidentStore.timelineLimit
            - (try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM timeline_event WHERE incident_id = ?"), arguments: [incidentID]) ?? 0)
        for e in timeline where room > 0 {
            let summary = StoredSecrets.protect(e.summary), raw = StoredSecrets.protect(e.raw)
            let binds = e.bindValues.isEmpty ? nil : try encode(e.bindValues.map(StoredSecrets.protect))
            try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO timeline_event (incident_id, time, source, line, end_line, kind, summary, raw,
                                                      raw_truncated, bind_values)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [incidentID, e.time?.microseconds, e.position?.file, e.position?.line, e.position?.endLine,
                                 e.kind.rawValue, summary, raw, e.rawTruncated, binds])
            room -= db.changesCount
        }
    }

    // MARK: workflow

    /// Sets an incident's state and notes who did it. Ids are normalized (`inc-1` is `INC-0001`).
    public func setState(_ id: String, _ state: IncidentState, author: String) throws {
        let id = IncidentStore.normalize(id)
        let now = clock()
        try guarded {
            try pool.write { db in
                try db.execute(sql: "UPDATE incident SET state = ?, state_changed_at = ?, state_changed_by = ? WHERE id = ?",
                               arguments: [state.rawValue, now.microseconds, author, id])
                if db.changesCount == 0 { throw StoreError.noSuchIncident(id) }
                try db.execute(sql: "INSERT INTO note (incident_id, author, time, text) VALUES (?, ?, ?, ?)",
                               arguments: [id, author, now.microseconds, "state: \(state.rawValue)"])
            }
        }
    }

    /// Adds a note; `visibility` says whether it may go into a customer's bundle (internal unless said).
    public func addNote(_ id: String, author: String, text: String, visibility: NoteVisibility = .internal) throws {
        let id = IncidentStore.normalize(id)
        let now = clock()
        try guarded {
            try pool.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incident WHERE id = ?", arguments: [id]) != nil else {
                    throw StoreError.noSuchIncident(id)
                }
                try db.execute(sql: "INSERT INTO note (incident_id, author, time, text, visibility) VALUES (?, ?, ?, ?, ?)",
                               arguments: [id, author, now.microseconds, text, visibility.rawValue])
            }
        }
    }

    // MARK: reading

    /// Every checkpoint, by path.
    public func checkpoints() throws -> [String: SourceCheckpoint] {
        try guarded {
            try pool.read { db in
                var out: [String: SourceCheckpoint] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM checkpoint") {
                    var c = SourceCheckpoint(path: row["path"], device: UInt64(bitPattern: row["device"]),
                                             inode: UInt64(bitPattern: row["inode"]), offset: row["offset"],
                                             lineNumber: row["line"],
                                             headHash: UInt64((row["head_hash"] as String?) ?? "", radix: 16) ?? 0,
                                             headLength: row["head_length"],
                                             updatedAt: Timestamp(microseconds: row["updated_at"]))
                    c.readOffset = row["read_offset"]
                    c.readLine = row["read_line"]
                    c.settledBefore = row["settled_before"]
                    out[c.path] = c
                }
                return out
            }
        }
    }

    /// Incidents in number order; `state` nil lists all.
    public func incidents(state: IncidentState? = nil) throws -> [StoredIncident] {
        try guarded {
            try pool.read { db in
                let rows = state == nil
                    ? try Row.fetchAll(db, sql: "SELECT * FROM incident ORDER BY number")
                    : try Row.fetchAll(db, sql: "SELECT * FROM incident WHERE state = ? ORDER BY number", arguments: [state!.rawValue])
                return try rows.map(incident(from:))
            }
        }
    }

    /// The incidents with these ids (those that exist), in number order: what a commit touched.
    public func incidents(ids: Set<String>) throws -> [StoredIncident] {
        guard !ids.isEmpty else { return [] }
        return try guarded {
            try pool.read { db in
                var out: [StoredIncident] = []
                let all = Array(ids)
                for start in stride(from: 0, to: all.count, by: 500) {
                    let chunk = Array(all[start..<min(start + 500, all.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    out += try Row.fetchAll(db, sql: "SELECT * FROM incident WHERE id IN (\(marks)) ORDER BY number",
                                            arguments: StatementArguments(chunk)).map(incident(from:))
                }
                return out.sorted { $0.number < $1.number }
            }
        }
    }

    /// One incident with its findings, timeline and notes; `StoreError.noSuchIncident` when unknown.
    /// `id` may be given as `INC-0001`, `inc-1` or `1`.
    public func incident(_ id: String) throws -> IncidentDetail {
        let id = IncidentStore.normalize(id)
        return try guarded {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM incident WHERE id = ?", arguments: [id]) else {
                    throw StoreError.noSuchIncident(id)
                }
                let incident = try incident(from: row)
                let findings = try Row.fetchAll(db, sql: "SELECT * FROM finding WHERE incident_id = ? ORDER BY id", arguments: [id])
                    .map(finding(from:))
                let timeline = try Row.fetchAll(db, sql: """
                    SELECT * FROM timeline_event WHERE incident_id = ?
                    ORDER BY ifnull(time, -9223372036854775808), ifnull(source, ''), ifnull(line, 0), id
                    """, arguments: [id]).map(entry(from:))
                let notes = try Row.fetchAll(db, sql: "SELECT * FROM note WHERE incident_id = ? ORDER BY id", arguments: [id])
                    .map { IncidentNote(author: $0["author"], time: Timestamp(microseconds: $0["time"]), text: $0["text"],
                                        visibility: NoteVisibility(rawValue: $0["visibility"]) ?? .internal) }
                return IncidentDetail(incident: incident, findings: findings, timeline: timeline, notes: notes)
            }
        }
    }

    /// The incident a finding was recorded in (by its aggregation key), if it was.
    public func incidentID(for finding: Finding) throws -> String? {
        let key = IncidentRules.findingKey(finding)
        return try guarded {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT incident_id FROM finding WHERE dedup_key = ? ORDER BY id DESC LIMIT 1",
                                    arguments: [key])
            }
        }
    }

    /// `INC-0001` from `INC-0001`, `inc-0001`, `0001` or `1`.
    public static func normalize(_ id: String) -> String {
        var s = id.uppercased()
        if s.hasPrefix("INC-") { s.removeFirst(4) }
        if let n = Int(s), n > 0 { return IncidentGrouper.format(n) }
        return id
    }

    // MARK: rows

    private func incident(from row: Row) throws -> StoredIncident {
        StoredIncident(
            id: row["id"], number: row["number"], family: row["family"], pathKey: row["path_key"],
            kinds: try decode([String].self, row["kinds"] as String).compactMap(FindingKind.init(rawValue:)),
            severity: Severity(rawValue: row["severity"]) ?? .info, callerTenant: row["caller_tenant"],
            exposedTenants: try decode([String].self, row["exposed_tenants"] as String), title: row["title"],
            state: IncidentState(rawValue: row["state"]) ?? .open,
            firstSeen: (row["first_seen"] as Int64?).map(Timestamp.init(microseconds:)),
            lastSeen: (row["last_seen"] as Int64?).map(Timestamp.init(microseconds:)),
            findingCount: row["finding_count"], occurrences: row["occurrences"],
            stateChangedAt: (row["state_changed_at"] as Int64?).map(Timestamp.init(microseconds:)),
            stateChangedBy: row["state_changed_by"])
    }

    private func finding(from row: Row) throws -> Finding {
        var f = Finding(kind: FindingKind(rawValue: row["kind"]) ?? .missingTenantPredicate,
                        severity: Severity(rawValue: row["severity"]) ?? .info,
                        time: (row["first_seen"] as Int64?).map(Timestamp.init(microseconds:)),
                        message: row["message"], count: row["count"], incident: row["incident_id"],
                        traceID: row["trace_id"], requestID: row["request_id"], callerTenant: row["caller_tenant"],
                        accessedTenants: try decode([String].self, row["accessed_tenants"] as String),
                        tables: try decode([String].self, row["tables"] as String), application: row["application"],
                        route: row["route"], statement: row["statement"], fingerprint: row["fingerprint"],
                        cacheKey: row["cache_key"],
                        evidence: try decode([EvidenceJSON].self, row["evidence"] as String).map(\.position))
        f.lastSeen = (row["last_seen"] as Int64?).map(Timestamp.init(microseconds:))
        return f
    }

    private func entry(from row: Row) throws -> TimelineEntry {
        var position: SourcePosition?
        if let source: String = row["source"] {
            let line: Int = row["line"] ?? 0
            position = SourcePosition(file: source, line: line, endLine: row["end_line"] ?? line)
        }
        let binds: String? = row["bind_values"]
        return TimelineEntry(kind: TimelineEntry.Kind(rawValue: row["kind"]) ?? .finding,
                             time: (row["time"] as Int64?).map(Timestamp.init(microseconds:)), position: position,
                             summary: row["summary"], storedRaw: row["raw"], rawTruncated: row["raw_truncated"],
                             bindValues: try binds.map { try decode([String?].self, $0) } ?? [])
    }

    // MARK: helpers

    /// For tests: runs SQL on the writer connection, outside a transaction (`PRAGMA max_page_count`).
    func executeOnWriter(_ sql: String) throws {
        try guarded { try pool.writeWithoutTransaction { try $0.execute(sql: sql) } }
    }

    struct EvidenceJSON: Codable, Equatable {
        var source: String
        var line: Int
        var end_line: Int?
        init(_ p: SourcePosition) { source = p.file; line = p.line; end_line = p.endLine != p.line ? p.endLine : nil }
        var position: SourcePosition { SourcePosition(file: source, line: line, endLine: end_line) }
    }

    private func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt(path: path, reason: "a stored JSON value does not parse")
        }
    }

    static func title(_ f: Finding) -> String {
        var s = f.kind.rawValue
        if !f.tables.isEmpty { s += " on " + f.tables.joined(separator: ", ") }
        else if let route = f.route { s += " on " + route }
        else if let key = f.cacheKey { s += " on " + key }
        if let caller = f.callerTenant { s += " (caller \(caller))" }
        else if let app = f.application { s += " (\(app))" }
        return TextSanitizer.oneLine(s)
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw IncidentStore.map(error, path: path, opening: false)
        }
    }

    static func map(_ error: DatabaseError, path: String, opening: Bool) -> StoreError {
        let reason = error.message ?? "\(error.resultCode)"
        // A full disk does not always come back as SQLITE_FULL: growing the WAL index (`-shm`)
        // or the journal fails as a generic I/O error. Say what it is.
        if [.SQLITE_IOERR, .SQLITE_CANTOPEN].contains(error.resultCode), IncidentStore.isFull(directoryOf: path) {
            return .diskFull(path: path)
        }
        switch error.resultCode {
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt(path: path, reason: reason)
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH: return .readOnly(path: path, reason: reason)
        case .SQLITE_CANTOPEN: return .cannotOpen(path: path, reason: reason)
        default: return opening ? .cannotOpen(path: path, reason: reason) : .database(path: path, reason: reason)
        }
    }

    /// True when the file system holding `path` has no block left for us.
    static func isFull(directoryOf path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        var st = statvfs()
        return statvfs(directory.isEmpty ? "." : directory, &st) == 0 && st.f_bavail == 0
    }

    static func reason(_ error: Error) -> String {
        if let e = error as? CocoaError {
            if let underlying = e.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(underlying.code)))
            }
            // Foundation words a full disk as "There isn't enough space": say it as the system does.
            if e.code == .fileWriteOutOfSpace { return String(cString: strerror(ENOSPC)) }
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
