import CPgQuery
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why libpg_query rejected a text: its message and the 1-based character position it points at
/// (0 when it names none), as PostgreSQL itself would report them.
public struct PgParseFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var cursorPosition: Int
    /// The text was over `PgQuery.maximumStatementBytes` and never reached libpg_query.
    public var tooLarge: Bool

    public init(message: String, cursorPosition: Int, tooLarge: Bool = false) {
        self.message = message
        self.cursorPosition = cursorPosition
        self.tooLarge = tooLarge
    }

    public var description: String {
        cursorPosition > 0 ? "\(message) at character \(cursorPosition)" : message
    }
}

/// PostgreSQL's own parser. Every call frees what libpg_query allocated before returning; the
/// JSON tree is built straight from libpg_query's buffer, never through a Swift `String`.
///
/// libpg_query keeps its memory context per thread, so these functions may run on any thread.
public enum PgQuery {
    /// The largest text handed to libpg_query's parser (1 MiB).
    ///
    /// libpg_query builds its whole JSON output in one PostgreSQL string buffer, and a request
    /// over PostgreSQL's 1 GiB allocation limit is a FATAL error: it prints "Terminating process
    /// due to FATAL error" on stdout and exits the process. Measured here (libpg-query 15-4.0.0):
    /// the JSON is up to 66 times the SQL (`SELECT 1,-a,-a,...`; 25x for an `IN (1,1,...)` list,
    /// 54x for a column list), an `IN` list of 50 MB aborts, while a 300 MB string literal parses
    /// (its JSON is about its own size). 1 MiB keeps the worst output near 70 MB and a parse
    /// under a second; longer statements are not judged (`unjudged_statement`).
    public static let maximumStatementBytes = 1 << 20

    /// Parses `sql` (one or several statements) into libpg_query's JSON parse tree. A text over
    /// `maximumStatementBytes` is refused without calling libpg_query.
    public static func parse(_ sql: String) -> Result<PgJSONTree, PgParseFailure> {
        let size = sql.utf8.count
        if size > maximumStatementBytes {
            return .failure(PgParseFailure(message: "statement of \(size) bytes is over the \(maximumStatementBytes)-byte limit of what is handed to libpg_query", cursorPosition: 0, tooLarge: true))
        }
        let result = pg_query_parse(sql)
        defer { pg_query_free_parse_result(result) }
        if let error = result.error {
            return .failure(failure(from: error.pointee))
        }
        guard let tree = result.parse_tree else {
            return .failure(PgParseFailure(message: "libpg_query returned no parse tree", cursorPosition: 0))
        }
        let length = strlen(tree)
        let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(tree).assumingMemoryBound(to: UInt8.self), count: length)
        switch PgJSONTree.parse(buffer) {
        case .success(let t): return .success(t)
        case .failure(let f): return .failure(PgParseFailure(message: f.message, cursorPosition: 0))
        }
    }

    /// libpg_query's fingerprint (hex): equal for statements that differ only in constants,
    /// parameter numbers, comments or whitespace. Nil when the text does not parse.
    public static func fingerprint(_ sql: String) -> String? {
        guard sql.utf8.count <= maximumStatementBytes else { return nil }
        let result = pg_query_fingerprint(sql)
        defer { pg_query_free_fingerprint_result(result) }
        guard result.error == nil, let s = result.fingerprint_str else { return nil }
        return String(cString: s)
    }

    private static func failure(from error: CPgQuery.PgQueryError) -> PgParseFailure {
        let message = error.message.map { String(cString: $0) } ?? "syntax error"
        return PgParseFailure(message: message, cursorPosition: Int(error.cursorpos))
    }
}

extension PgQuery {
    /// Splits text into statements with libpg_query's scanner, which tolerates statements that do
    /// not parse: the schema loader uses it to skip one bad statement instead of the whole dump.
    public static func split(_ sql: String) -> [String] {
        let result = pg_query_split_with_scanner(sql)
        defer { pg_query_free_split_result(result) }
        guard result.error == nil, let stmts = result.stmts else { return [] }
        let utf8 = Array(sql.utf8)
        var out: [String] = []
        for k in 0..<Int(result.n_stmts) {
            guard let s = stmts[k]?.pointee else { continue }
            let start = max(0, min(utf8.count, Int(s.stmt_location)))
            let end = s.stmt_len == 0 ? utf8.count : max(start, min(utf8.count, start + Int(s.stmt_len)))
            out.append(String(decoding: utf8[start..<end], as: UTF8.self))
        }
        return out
    }
}
