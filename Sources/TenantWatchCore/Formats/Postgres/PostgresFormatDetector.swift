/// Tells the PostgreSQL log formats apart from a first non-empty line.
///
/// jsonlog lines are JSON objects (`{"timestamp":...`); csvlog lines start with a timestamp
/// followed by a comma and have the column count of some server version (a first record may
/// continue on the next line, then its quotes are open); syslog lines start with a syslog
/// header (`Mar  1 10:00:00 host postgres[42]: [3-1] `, see `SyslogHeader`); anything else is
/// stderr.
public enum PostgresFormatDetector {
    public static func detect(_ b: UnsafeBufferPointer<UInt8>) -> PostgresLogParser.Format? {
        var i = 0
        while i < b.count, b[i] == Bytes.space || b[i] == Bytes.cr { i += 1 }
        guard i < b.count else { return nil }
        // journalctl's own marker lines (`-- Logs begin at ... --`, `-- Boot ... --`) say nothing.
        if b.count >= i + 3, b[i] == Bytes.dash, b[i + 1] == Bytes.dash, b[i + 2] == Bytes.space { return nil }
        if b[i] == Bytes.lbrace {
            switch PlatformJSONLogReader.shape(of: b) {
            case .cloudSQL?: return .cloudsql
            case .cloudNativePG?: return .cnpg
            case .azure?: return .azure
            case nil: return .jsonlog
            }
        }
        var ts = PostgresTimestampParser(timezone: "UTC")
        if let (_, next) = ts.parsePrefix(b, i, b.count), next < b.count, b[next] == Bytes.comma {
            var quotes = 0
            for c in b where c == Bytes.quote { quotes += 1 }
            if quotes % 2 == 1 { return .csvlog }
            var ranges: [(Int, Int, Bool)] = []
            if CSVLogReader.split(b, into: &ranges), [23, 24, 26].contains(ranges.count) { return .csvlog }
        }
        if isSyslog(UnsafeBufferPointer(rebasing: b[i...])) { return .syslog }
        return .stderr
    }

    /// A syslog / journald / logplex header carrying PostgreSQL's `[N]`/`[N-k]` marker, or an
    /// `ident` that names postgres (`syslog_sequence_numbers = off`).
    static func isSyslog(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var ts = PostgresTimestampParser(timezone: "UTC")
        guard let h = SyslogHeader.parse(b, b.count, timestamps: &ts) else { return false }
        if h.sequence != nil { return true }
        return Bytes.find(Array("postgres".utf8), b, h.streamStart, h.streamEnd) != nil
    }
}
