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

    public init(message: String, cursorPosition: Int) {
        self.message = message
        self.cursorPosition = cursorPosition
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
    /// Parses `sql` (one or several statements) into libpg_query's JSON parse tree.
    public static func parse(_ sql: String) -> Result<PgJSONTree, PgParseFailure> {
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
