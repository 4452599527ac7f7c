/// Tells the three PostgreSQL log formats apart from a first non-empty line.
///
/// jsonlog lines are JSON objects (`{"timestamp":...`); csvlog lines start with a timestamp
/// followed by a comma and have the column count of some server version (a first record may
/// continue on the next line, then its quotes are open); anything else is stderr.
public enum PostgresFormatDetector {
    public static func detect(_ b: UnsafeBufferPointer<UInt8>) -> PostgresLogParser.Format? {
        var i = 0
        while i < b.count, b[i] == Bytes.space || b[i] == Bytes.cr { i += 1 }
        guard i < b.count else { return nil }
        if b[i] == Bytes.lbrace { return .jsonlog }
        var ts = PostgresTimestampParser(timezone: "UTC")
        if let (_, next) = ts.parsePrefix(b, i, b.count), next < b.count, b[next] == Bytes.comma {
            var quotes = 0
            for c in b where c == Bytes.quote { quotes += 1 }
            if quotes % 2 == 1 { return .csvlog }
            var ranges: [(Int, Int, Bool)] = []
            if CSVLogReader.split(b, into: &ranges), [23, 24, 26].contains(ranges.count) { return .csvlog }
        }
        return .stderr
    }
}
