/// Which log records pgBadger 12 counts as "queries" (`overall_stat.queries_number`), so a user
/// can check what tenantwatch read against the number pgBadger shows for the same file.
///
/// The two numbers answer different questions. tenantwatch counts *statements executed*: one an
/// execution, however many lines the server wrote about it. pgBadger counts *log entries*: in
/// `parse_query` every `LOG` record whose message is a `statement:`/`query:`, an `execute ...:`,
/// or any `duration:` line (bare, or followed by `statement:`/`execute`/`plan:`) is stored as an
/// entry and `store_queries` adds one to `queries_number` for each. `duration: ... parse ...` and
/// `... bind ...` lines are skipped (they only feed its prepare/bind timings). So with
/// `log_statement = 'all'` and `log_min_duration_statement = 0` (or `log_duration = on`) every
/// execution is counted twice: once for its `statement:` line and once for the bare `duration:`
/// line that closes it. pgBadger's `--log-duration` option is meant to pair those, but in 12.0 it
/// drops entries too (41 queries on `pg15_phase1_stderr.log`, which has 57 statement lines), so
/// the default count is the one users see and the one this reproduces. Read from `/usr/bin/pgbadger` 12.0 (`parse_query`, `store_queries`), not
/// guessed; `Tests/EndToEnd/platform_formats.sh` runs pgBadger on every fixture to hold it to that.
///
/// Severity other than `LOG` is never a query for pgBadger (`ERROR` + `STATEMENT:` is an error),
/// and pgaudit's `AUDIT:` lines are not queries either.
enum PgBadgerQueryCount {
    /// Whether pgBadger counts a `LOG` record with this message (as the reader split it, the
    /// verbose SQLSTATE already removed) as one of its queries.
    static func counts(logMessage message: String) -> Bool {
        if message.hasASCIIPrefix("statement: ") || message.hasASCIIPrefix("query: ") || message.hasASCIIPrefix("execute ") {
            return true
        }
        guard message.hasASCIIPrefix("duration: ") else { return false }
        // `duration: 0.113 ms` alone (log_duration, or the close of a logged statement) counts;
        // so does `duration: 0.113 ms  statement: ...` / `  execute ...` / `  plan: ...`; any
        // other text after the duration is a line pgBadger does not recognise.
        guard let sep = message.firstRange(ofASCII: " ms  ") else { return message.utf8.reversed().starts(with: "sm ".utf8) }
        var rest = message[sep.upperBound...]
        // pgBadger allows `rows: N  size: N bytes  ` (Greenplum / some forks) before the action.
        if rest.hasASCIIPrefix("rows: "), let size = rest.firstRange(ofASCII: " bytes  ") {
            rest = rest[size.upperBound...]
        }
        return rest.hasASCIIPrefix("statement:") || rest.hasASCIIPrefix("query:") || rest.hasASCIIPrefix("execute ")
            || rest.hasASCIIPrefix("plan:")
    }
}

extension PgBadgerQueryCount {
    /// The message a lean stderr record (one the interpreter makes no event of, kept without its
    /// text) carries for a `duration:` line between bytes `s` and `e` of `b`: enough for the
    /// interpreter (the backend's logged execution is over) and for `counts(logMessage:)` (a
    /// bare duration and an auto_explain `plan:` are pgBadger queries; `parse`/`bind` are not).
    /// Constant strings: nothing is copied out of the line.
    static func leanDurationMessage(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        var i = s + 10
        while i < e, i < s + 40, b[i] != Bytes.space || !Bytes.hasPrefix(b, i, e, " ms  ") { i += 1 }
        if Bytes.hasPrefix(b, i, e, " ms  ") {
            return Bytes.hasPrefix(b, i, e, " ms  plan:") ? "duration: 0 ms  plan:" : "duration: "
        }
        return e - s >= 13 && b[e - 3] == Bytes.space && b[e - 2] == UInt8(ascii: "m") && b[e - 1] == UInt8(ascii: "s")
            ? "duration: 0 ms" : "duration: "
    }
}
