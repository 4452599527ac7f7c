import TenantWatchModel

/// The part a syslog daemon, journald or Heroku's logplex writes in front of what PostgreSQL
/// handed to `syslog()` (`log_destination = 'syslog'`), and PostgreSQL's own sequence marker:
///
///     Mar  1 10:00:00 db1 postgres[4242]: [7-1] 2024-03-01 10:00:00.123 UTC [4242] LOG:  statement: ...
///     2024-03-01T10:00:00.123456+00:00 db1 postgres[4242]: [7-2] \tFROM t          (rsyslog RFC 3339, journalctl -o short-iso)
///     2024-03-01T10:00:00+00:00 app[postgres.1234]: [DATABASE] [12-1] sql_error_code = 00000 LOG:  ...   (Heroku)
///
/// `[N]` is a whole message; `[N-k]` is chunk k of message N, which PostgreSQL splits at each
/// newline and, within a line, at a space before 900 bytes (`syslog_split_messages`,
/// `write_syslog` in `elog.c`). Heroku adds the attachment's name (`[DATABASE]`,
/// `[HEROKU_POSTGRESQL_RED]`) before it.
struct SyslogHeader {
    /// The header's own time, when it carries a year (RFC 3339); BSD `Mmm dd` does not.
    var time: Timestamp?
    /// `ident[pid]` (or Heroku's `app[postgres.1234]`): the process whose chunks belong together.
    var streamStart: Int
    var streamEnd: Int
    /// The pid in `ident[pid]`, when it is a number.
    var pid: Int?
    /// `N` of `[N]` / `[N-k]`; nil without `syslog_sequence_numbers`.
    var sequence: Int?
    /// `k` of `[N-k]`; nil for a whole message.
    var chunk: Int?
    /// Heroku's attachment name was there.
    var logplex = false
    /// Where PostgreSQL's text starts.
    var bodyStart: Int

    /// Reads the header of `b[0..<end]`; nil when the line does not start with one.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ end: Int, timestamps: inout PostgresTimestampParser) -> SyslogHeader? {
        var i = 0
        var time: Timestamp? = nil
        if end >= 20, Bytes.isDigit(b[0]), b[4] == Bytes.dash, b[10] == 84 /* T */ {
            guard let (t, next) = timestamps.parsePrefix(b, 0, end) else { return nil }
            time = t
            i = next
        } else if end >= 16, Bytes.isUpper(b[0]), Bytes.isAlpha(b[1]), Bytes.isAlpha(b[2]), b[3] == Bytes.space,
                  b[4] == Bytes.space || Bytes.isDigit(b[4]), Bytes.isDigit(b[5]), b[6] == Bytes.space,
                  Bytes.isDigit(b[7]), Bytes.isDigit(b[8]), b[9] == Bytes.colon, Bytes.isDigit(b[10]),
                  Bytes.isDigit(b[11]), b[12] == Bytes.colon, Bytes.isDigit(b[13]), Bytes.isDigit(b[14]) {
            i = 15
            // journalctl -o short-precise: `Mar 01 10:00:00.123456`
            if i < end, b[i] == Bytes.dot { i += 1; while i < end, Bytes.isDigit(b[i]) { i += 1 } }
        } else {
            return nil
        }
        guard i < end, b[i] == Bytes.space else { return nil }
        i += 1
        // `host ident[pid]: ` or `ident[pid]: `: the tag is the last word before the first ": ".
        let limit = min(end, i + 300)
        var tagStart = i
        var j = i
        while j + 1 < limit, !(b[j] == Bytes.colon && b[j + 1] == Bytes.space) {
            if b[j] == Bytes.space { tagStart = j + 1 }
            j += 1
        }
        guard j + 1 < limit, j > tagStart else { return nil }
        var h = SyslogHeader(time: time, streamStart: tagStart, streamEnd: j, pid: nil, bodyStart: j + 2)
        if b[j - 1] == Bytes.rbracket, let open = lastIndex(Bytes.lbracket, b, tagStart, j - 1) {
            h.pid = Bytes.parseInt(b, open + 1, j - 1)
        }
        var k = j + 2
        // Heroku: `[DATABASE] ` — a name in capitals, not a number.
        if k + 2 < end, b[k] == Bytes.lbracket, Bytes.isUpper(b[k + 1]) {
            var e = k + 1
            while e < end, Bytes.isUpper(b[e]) || Bytes.isDigit(b[e]) || b[e] == 95 { e += 1 }
            if e + 1 < end, b[e] == Bytes.rbracket, b[e + 1] == Bytes.space {
                h.logplex = true
                k = e + 2
            }
        }
        // `[N] ` or `[N-k] `.
        if k < end, b[k] == Bytes.lbracket {
            var e = k + 1
            while e < end, Bytes.isDigit(b[e]) { e += 1 }
            if e > k + 1, e < end {
                let n = Bytes.parseInt(b, k + 1, e)
                var chunk: Int? = nil
                var close = e
                if b[e] == Bytes.dash {
                    var f = e + 1
                    while f < end, Bytes.isDigit(b[f]) { f += 1 }
                    chunk = f > e + 1 ? Bytes.parseInt(b, e + 1, f) : nil
                    close = chunk == nil ? -1 : f
                }
                if close >= 0, close < end, b[close] == Bytes.rbracket {
                    h.sequence = n
                    h.chunk = chunk
                    k = close + 1
                    // One space separates the marker from the text (a chunk may start with more).
                    if k < end, b[k] == Bytes.space { k += 1 }
                }
            }
        }
        h.bodyStart = k
        return h
    }

    private static func lastIndex(_ c: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        var i = e - 1
        while i >= s { if b[i] == c { return i }; i -= 1 }
        return nil
    }
}
