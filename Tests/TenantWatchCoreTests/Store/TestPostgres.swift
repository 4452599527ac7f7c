import Foundation
@testable import TenantWatchCore

/// A throwaway PostgreSQL 15 cluster for the store tests, the way `Tests/EndToEnd/lib/pg.sh`
/// starts one: initdb in a temp directory, Unix socket only (`listen_addresses = ''`), run as
/// `postgres` when we are root. Started once per test process, on first use; stopped (and its
/// directory removed) when the process exits. Each test gets a database of its own.
final class TestPostgres: @unchecked Sendable {
    static let bin = ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    /// The cluster, or why it could not start (the PostgreSQL tests then fail saying so).
    static let shared: Result<TestPostgres, TestPostgresError> = {
        do {
            let pg = try TestPostgres()
            running = pg
            atexit { TestPostgres.running?.stop() }
            return .success(pg)
        } catch let e as TestPostgresError {
            return .failure(e)
        } catch {
            return .failure(TestPostgresError(message: "\(error)"))
        }
    }()
    nonisolated(unsafe) private static var running: TestPostgres?

    let dir: String
    var socket: String { dir + "/sock" }
    var data: String { dir + "/data" }
    let port = 5432

    private init() throws {
        guard FileManager.default.isExecutableFile(atPath: TestPostgres.bin + "/initdb") else {
            throw TestPostgresError(message: "no \(TestPostgres.bin)/initdb: install postgresql-15 (scripts/deps.sh test)")
        }
        var template = Array((NSTemporaryDirectory() + "tw-pgt.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestPostgresError(message: "mkdtemp failed") }
        dir = String(cString: made)
        try FileManager.default.createDirectory(atPath: dir + "/sock", withIntermediateDirectories: true)
        if getuid() == 0 { try TestPostgres.run("/bin/chown", ["-R", "postgres:", dir]) }
        try TestPostgres.asOwner(TestPostgres.bin + "/initdb",
                                 ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        let conf = """
            listen_addresses = ''
            unix_socket_directories = '\(socket)'
            port = \(port)
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200
            """
        try TestPostgres.asOwner("/bin/sh", ["-c", "cat >> '\(data)/postgresql.conf' <<'EOF'\n\(conf)\nEOF"])
        try TestPostgres.asOwner(TestPostgres.bin + "/pg_ctl", ["-D", data, "-l", dir + "/pg_ctl.log", "-w", "-t", "60", "start"])
    }

    func stop() {
        try? TestPostgres.asOwner(TestPostgres.bin + "/pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A URL for `database`, over the cluster's socket.
    func url(_ database: String, user: String = "postgres", password: String? = nil) -> String {
        "postgresql://\(user)\(password.map { ":" + $0 } ?? "")@/\(database)?host=\(socket)&port=\(port)"
    }

    /// A new, empty database; returns its URL.
    func newDatabase() throws -> String {
        let name = "tw_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresConnection(PostgresURL(url("postgres")))
        try admin.execute("CREATE DATABASE \(name)")
        return url(name)
    }

    /// Runs SQL on a database directly (to set a store up the way an older or newer tenantwatch left it).
    func execute(_ sql: String, in url: String) throws {
        try PostgresConnection(PostgresURL(url)).executeScript(sql)
    }

    private static func asOwner(_ tool: String, _ args: [String]) throws {
        if getuid() == 0 { try run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + args) } else { try run(tool, args) }
    }

    /// posix_spawn and waitpid, not Foundation's Process: its reaping never came while the
    /// tests' threads waited on this cluster's one-time start (a `runuser` zombie, a hung suite).
    private static func run(_ tool: String, _ args: [String]) throws {
        let errPath = NSTemporaryDirectory() + "tw-pgt-err-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        // A file, not a pipe: the server `pg_ctl start` leaves running would hold a pipe open.
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestPostgresError(message: "cannot run \(tool): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let said = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
            throw TestPostgresError(message: "\(tool) \(args.joined(separator: " ")) failed: \(said)")
        }
    }
}

struct TestPostgresError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
