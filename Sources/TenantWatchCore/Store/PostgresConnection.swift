import CLibPQ
import Foundation

/// A `postgres://` (or `postgresql://`) store URL as libpq reads it, and how to show it: the
/// password never appears in a message, a log line or the dashboard.
public struct PostgresURL: Sendable, Equatable {
    /// What libpq connects with (the password included, if the URL has one).
    let conninfo: String
    /// `postgres://user@host:port/dbname`, without the password.
    public let redacted: String
    /// The password given in the URL, if any: taken out of any message libpq or the server says.
    let password: String?

    /// True when `location` names a PostgreSQL store rather than a SQLite file.
    public static func isPostgres(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Parses with libpq's own URI parser (`PQconninfoParse`), so what is shown is what libpq
    /// will connect to. A URL libpq cannot parse is refused with libpq's reason, redacted.
    public init(_ url: String) throws {
        conninfo = url
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            let reason = error.map { String(cString: $0) } ?? "out of memory"
            if let error { PQfreemem(error) }
            // The password cannot be found in a URL that does not parse: say nothing of the URL.
            throw StoreError.cannotOpen(path: "postgres://…", reason: "not a PostgreSQL URL libpq accepts: "
                                        + PostgresURL.scrub(reason.trimmingCharacters(in: .whitespacesAndNewlines), url: url))
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var i = 0
        while let keyword = options[i].keyword {
            if let v = options[i].val { values[String(cString: keyword)] = String(cString: v) }
            i += 1
        }
        password = values["password"].flatMap { $0.isEmpty ? nil : $0 }
        var shown = "postgres://"
        if let user = values["user"] { shown += user + "@" }
        shown += values["host"] ?? values["hostaddr"] ?? ""
        if let port = values["port"] { shown += ":" + port }
        shown += "/" + (values["dbname"] ?? "")
        redacted = shown
    }

    /// A message with the password (if the URL has one) replaced by `***`.
    func redact(_ message: String) -> String {
        guard let password else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }

    /// Without a parse there is no password to look for, so the URL itself is never quoted.
    private static func scrub(_ reason: String, url: String) -> String {
        reason.replacingOccurrences(of: url, with: "(the URL)")
    }
}

/// A value bound to a `$n` parameter, sent as text.
protocol PostgresBindable {
    var postgresText: String { get }
}
extension String: PostgresBindable {
    // PostgreSQL text cannot hold NUL; SQLite can. A NUL in a log line is kept visible instead.
    var postgresText: String { contains("\u{0}") ? replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : self }
}
extension Int: PostgresBindable { var postgresText: String { String(self) } }
extension Int64: PostgresBindable { var postgresText: String { String(self) } }
extension Bool: PostgresBindable { var postgresText: String { self ? "true" : "false" } }

/// One result row, copied out of libpq's result (which is freed at once).
struct PostgresRow {
    let columns: [String: Int]
    let values: [String?]

    func string(_ name: String) -> String? { columns[name].flatMap { values[$0] } }
    func text(_ name: String) -> String { string(name) ?? "" }
    func int64(_ name: String) -> Int64? { string(name).flatMap { Int64($0) } }
    func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }
    func bool(_ name: String) -> Bool { string(name) == "t" }
}

/// One libpq connection. Not thread-safe: `PostgresIncidentStore` serializes its use.
final class PostgresConnection {
    private var conn: OpaquePointer?
    let url: PostgresURL

    init(_ url: PostgresURL) throws {
        self.url = url
        let c = PQconnectdb(url.conninfo)
        guard let c, PQstatus(c) == CONNECTION_OK else {
            let reason = c.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let c { PQfinish(c) }
            throw StoreError.cannotOpen(path: url.redacted, reason: url.redact(PostgresConnection.oneLine(reason)))
        }
        conn = c
        // libpq prints server notices and warnings on stderr by default: under the dashboard that
        // would draw over the screen. Errors still reach us through the results.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        // The server's NOTICEs (`relation already exists, skipping`) are not ours to print.
        try execute("SET client_min_messages = warning")
        try execute("SET TIME ZONE 'UTC'")
    }

    deinit { if let conn { PQfinish(conn) } }

    /// The server process of this connection (a NOTIFY names its sender by it).
    var backendPID: Int32 { conn.map { PQbackendPID($0) } ?? 0 }

    /// The socket, for waiting on notifications.
    var socket: Int32 { conn.map { PQsocket($0) } ?? -1 }

    /// Runs one statement with `$1...` parameters; returns its rows (none for a command).
    @discardableResult
    func execute(_ sql: String, _ params: [(any PostgresBindable)?] = []) throws -> [PostgresRow] {
        guard let conn else { throw StoreError.database(path: url.redacted, reason: "the connection is closed") }
        if PQstatus(conn) != CONNECTION_OK {
            // The server restarted or the network dropped: one reset, then the statement.
            PQreset(conn)
            if PQstatus(conn) != CONNECTION_OK {
                throw StoreError.database(path: url.redacted,
                                          reason: url.redact(PostgresConnection.oneLine(String(cString: PQerrorMessage(conn)))))
            }
            try execute("SET client_min_messages = warning")
            try execute("SET TIME ZONE 'UTC'")
        }
        let copies: [UnsafeMutablePointer<CChar>?] = params.map { $0.map { strdup($0.postgresText) } ?? nil }
        defer { for p in copies { free(p) } }
        var values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result: OpaquePointer? = values.isEmpty
            ? PQexecParams(conn, sql, 0, nil, nil, nil, nil, 0)
            : values.withUnsafeMutableBufferPointer { PQexecParams(conn, sql, Int32($0.count), nil, $0.baseAddress, nil, nil, 0) }
        guard let result else {
            throw StoreError.database(path: url.redacted,
                                      reason: url.redact(PostgresConnection.oneLine(String(cString: PQerrorMessage(conn)))))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, tw_pq_diag_sqlstate()).map { String(cString: $0) } ?? ""
            let message = url.redact(PostgresConnection.oneLine(String(cString: PQresultErrorMessage(result))))
            throw PostgresConnection.map(sqlstate: state, message: message, location: url.redacted)
        }
        let rowCount = Int(PQntuples(result)), columnCount = Int(PQnfields(result))
        guard rowCount > 0 else { return [] }
        var columns: [String: Int] = [:]
        for c in 0..<columnCount { columns[String(cString: PQfname(result, Int32(c)))] = c }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                values.append(PQgetisnull(result, Int32(r), Int32(c)) == 1 ? nil
                              : String(cString: PQgetvalue(result, Int32(r), Int32(c))))
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        return rows
    }

    /// Runs several `;`-separated statements without parameters (a migration), as one
    /// implicit transaction unless they say otherwise.
    func executeScript(_ sql: String) throws {
        guard let conn else { throw StoreError.database(path: url.redacted, reason: "the connection is closed") }
        guard let result = PQexec(conn, sql) else {
            throw StoreError.database(path: url.redacted,
                                      reason: url.redact(PostgresConnection.oneLine(String(cString: PQerrorMessage(conn)))))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, tw_pq_diag_sqlstate()).map { String(cString: $0) } ?? ""
            let message = url.redact(PostgresConnection.oneLine(String(cString: PQresultErrorMessage(result))))
            throw PostgresConnection.map(sqlstate: state, message: message, location: url.redacted)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Notifications received so far (after `LISTEN`): waits up to `timeout` seconds for one.
    func notifications(waiting timeout: Double) -> (received: [(pid: Int32, payload: String)], ok: Bool) {
        guard let conn, PQstatus(conn) == CONNECTION_OK else { return ([], false) }
        var fd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, Int32(timeout * 1000))
        guard PQconsumeInput(conn) == 1 else { return ([], false) }
        var out: [(Int32, String)] = []
        while let n = PQnotifies(conn) {
            out.append((n.pointee.be_pid, String(cString: n.pointee.extra)))
            PQfreemem(n)
        }
        return (out, PQstatus(conn) == CONNECTION_OK)
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: "; ")
    }

    static func map(sqlstate: String, message: String, location: String) -> StoreError {
        switch sqlstate {
        case "53100": return .diskFull(path: location)
        case "25006", "42501": return .readOnly(path: location, reason: message)
        case "XX001", "XX002": return .corrupt(path: location, reason: message)
        default: return .database(path: location, reason: message)
        }
    }
}
