/// The shared store's schema: the SQLite store's tables (`IncidentStore.migrator` v1–v3) in
/// PostgreSQL, plus `delivery` (what makes a redelivered batch change nothing), applied as
/// numbered migrations recorded in `schema_version`.
///
/// Differences from SQLite, each for a PostgreSQL reason: keys that can be long (a finding's
/// aggregation key quotes a statement when it has no fingerprint) are indexed by their md5, as a
/// btree entry must fit a third of a page; `"offset"` is quoted (a reserved word).
enum PostgresSchema {
    /// The migrations in order: index + 1 is the version each one brings the database to.
    static let migrations: [String] = [
        """
        CREATE TABLE incident (
            id TEXT PRIMARY KEY,
            number INTEGER NOT NULL UNIQUE,
            family TEXT NOT NULL,
            path_key TEXT NOT NULL,
            kinds TEXT NOT NULL,
            severity TEXT NOT NULL,
            caller_tenant TEXT,
            exposed_tenants TEXT NOT NULL,
            title TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
            first_seen BIGINT,
            last_seen BIGINT,
            finding_count INTEGER NOT NULL DEFAULT 0,
            occurrences BIGINT NOT NULL DEFAULT 0,
            state_changed_at BIGINT,
            state_changed_by TEXT,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX incident_by_path ON incident (md5(path_key), number);
        CREATE INDEX incident_by_state ON incident (state, number);

        CREATE TABLE finding (
            id BIGSERIAL PRIMARY KEY,
            incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
            dedup_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            first_seen BIGINT,
            last_seen BIGINT,
            count BIGINT NOT NULL CHECK (count >= 1),
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
        CREATE INDEX finding_by_dedup ON finding (md5(dedup_key), id);
        CREATE INDEX finding_by_incident ON finding (incident_id, id);

        CREATE TABLE timeline_event (
            id BIGSERIAL PRIMARY KEY,
            incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
            time BIGINT,
            source TEXT,
            line BIGINT,
            end_line BIGINT,
            kind TEXT NOT NULL CHECK (kind IN ('request', 'statement', 'session_setting', 'cache_command', 'response', 'finding')),
            summary TEXT NOT NULL,
            raw TEXT,
            raw_truncated BOOLEAN NOT NULL DEFAULT false,
            bind_values TEXT
        );
        CREATE UNIQUE INDEX timeline_event_once
            ON timeline_event (incident_id, kind, md5(coalesce(source, '')), coalesce(line, 0), md5(summary));
        CREATE INDEX timeline_by_incident ON timeline_event (incident_id, time, id);

        CREATE TABLE note (
            id BIGSERIAL PRIMARY KEY,
            incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
            author TEXT NOT NULL,
            time BIGINT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX note_by_incident ON note (incident_id, id);

        CREATE TABLE checkpoint (
            path TEXT PRIMARY KEY,
            device BIGINT NOT NULL,
            inode BIGINT NOT NULL,
            "offset" BIGINT NOT NULL CHECK ("offset" >= 0),
            line BIGINT NOT NULL CHECK (line >= 0),
            head_hash TEXT NOT NULL,
            head_length BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            read_offset BIGINT,
            read_line BIGINT,
            settled_before BIGINT
        );

        CREATE TABLE sighting (
            key TEXT PRIMARY KEY,
            time BIGINT NOT NULL
        );
        CREATE INDEX sighting_by_time ON sighting (time);

        CREATE TABLE bundle_export (
            id BIGSERIAL PRIMARY KEY,
            for_tenant TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            incident_id TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            previous_manifest_sha256 TEXT,
            exported_at BIGINT NOT NULL,
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

        CREATE TABLE delivery (
            key TEXT PRIMARY KEY,
            incident_id TEXT NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
            time BIGINT NOT NULL
        );
        """,
        // 2: a note is internal or customer-visible (the SQLite store's `note_visibility`); the
        // notes already stored, and every `state: ...` note, stay internal.
        """
        ALTER TABLE note ADD COLUMN visibility TEXT NOT NULL DEFAULT 'internal'
            CHECK (visibility IN ('internal', 'customer'));
        """,
    ]

    /// The version this build writes.
    static var current: Int { migrations.count }
}
