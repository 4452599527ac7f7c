/// `--store` names either a SQLite file (the default, embedded store) or a shared PostgreSQL
/// database (`postgres://user@host:5432/db`, `postgresql://...`, or libpq's `?host=/socket/dir`).
public enum StoreLocation {
    /// True for a PostgreSQL URL: nothing on the local disk to check or create.
    public static func isShared(_ location: String) -> Bool { PostgresURL.isPostgres(location) }

    /// Opens the store `location` names (creating or migrating its schema).
    public static func open(_ location: String) throws -> any IncidentStoring {
        if isShared(location) { return try PostgresIncidentStore(url: location) }
        return try IncidentStore(path: location)
    }

    /// `location` as it may be shown: a URL's password is never printed.
    public static func display(_ location: String) -> String {
        guard isShared(location) else { return location }
        return (try? PostgresURL(location).redacted) ?? "postgres://…"
    }
}
