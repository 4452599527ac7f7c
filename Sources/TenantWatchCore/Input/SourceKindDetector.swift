/// Tells a bare path's kind from its first bytes, so `tenantwatch scan a.log b.json c.txt` works
/// without flags, the way lnav opens whatever it is given.
public enum SourceKindDetector {
    /// Looks at up to the first 20 non-empty lines. Returns nil when nothing is recognisable.
    public static func detect(sample: [UInt8]) -> SourceKind? {
        var votes: [SourceKind: Int] = [:]
        var seen = 0
        for lineSlice in sample.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard seen < 20 else { break }
            seen += 1
            let line = Array(lineSlice)
            if let kind = classify(line) { votes[kind, default: 0] += 1 }
        }
        return votes.max { a, b in a.value < b.value }?.key
    }

    static func classify(_ line: [UInt8]) -> SourceKind? {
        guard let first = line.first else { return nil }
        if let search = SearchSlowLogShape.kind(of: line) { return search }
        if first == UInt8(ascii: "{") {
            // jsonlog always carries these keys; an application's audit line does not.
            let text = String(decoding: line.prefix(4096), as: UTF8.self)
            if text.contains("\"error_severity\"") && text.contains("\"timestamp\"") { return .postgres }
            // A platform's JSON around PostgreSQL's records (Cloud SQL, CloudNativePG, Azure).
            if line.withUnsafeBufferPointer({ PlatformJSONLogReader.shape(of: $0) }) != nil { return .postgres }
            return .audit
        }
        // Redis MONITOR: `1795353237.358614 [0 127.0.0.1:51048] "SET" ...`
        var i = 0
        while i < line.count, line[i] >= 0x30, line[i] <= 0x39 { i += 1 }
        if i >= 9, i < line.count, line[i] == UInt8(ascii: ".") {
            var j = i + 1
            while j < line.count, line[j] >= 0x30, line[j] <= 0x39 { j += 1 }
            if j + 2 < line.count, line[j] == 0x20, line[j + 1] == UInt8(ascii: "[") {
                // Redis writes `[db addr]`; a PostgreSQL `%n [%p]` prefix writes `[pid]`.
                var k = j + 2
                while k < line.count, line[k] >= 0x30, line[k] <= 0x39 { k += 1 }
                if k < line.count, line[k] == 0x20 { return .redis }
                if k < line.count, line[k] == UInt8(ascii: "]") { return .postgres }
                if line[j + 2] == UInt8(ascii: "l") { return .redis }   // [lua]
            }
        }
        if i == 4, i < line.count, line[i] == UInt8(ascii: "-") { return .postgres }   // 2026-11-22 ...
        if first == 0x09 { return nil }  // a continuation line
        // syslog / journald: `Mar  1 10:00:00 host postgres[42]: [3-1] ...`
        if line.withUnsafeBufferPointer({ PostgresFormatDetector.isSyslog($0) }) { return .postgres }
        return nil
    }
}
