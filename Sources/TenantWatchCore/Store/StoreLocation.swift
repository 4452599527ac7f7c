import Foundation

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

    /// The store a command uses: `--store` when given, else the config's `[store] url` (a
    /// relative SQLite path in it is relative to the config file, like the sources), else nil
    /// (the caller's default). One rule for `live`, `replay`, `incidents` and `export`, so a
    /// fleet's config names its shared store once; `scan` writes only with `--store`.
    public static func resolve(commandLine: String?, configuration: Configuration) -> String? {
        if let commandLine { return commandLine }
        guard let url = configuration.store.url else { return nil }
        if isShared(url) || url.hasPrefix("/") { return url }
        return URL(fileURLWithPath: configuration.baseDirectory).appendingPathComponent(url).path
    }

    /// The dashboard's "reading from …" when it has no local sources and a shared store: it
    /// reads no file at all, so naming a file position would be false. The store is named
    /// without its password.
    public static func attachedOrigin(_ location: String) -> String {
        "the shared store \(display(location)) (attached: no local sources, the fleet's incidents)"
    }

    /// `location` as it may be shown: a URL's password is never printed.
    public static func display(_ location: String) -> String {
        guard isShared(location) else { return location }
        return (try? PostgresURL(location).redacted) ?? "postgres://…"
    }
}
