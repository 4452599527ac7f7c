/// Reads PostgreSQL's csvlog (`log_destination = csvlog`): RFC 4180 records whose quoted fields
/// hold raw newlines, so one record can span several physical lines.
///
/// Column sets by server version (counted, not configured): 23 columns up to PostgreSQL 12,
/// 24 in 13 (`backend_type`), 26 from 14 on (`leader_pid`, `query_id`). A record still open at
/// the end of input (unclosed quote), or one growing past `maxRecordBytes`, is reported as
/// unparsed with its line range and reading goes on with the next line.
struct CSVLogReader {
    let file: String
    var maxRecordBytes = 64 << 20
    private var timestamps: PostgresTimestampParser
    private var buffer: [UInt8] = []
    private var inQuotes = false
    private var firstLine = 0
    private var lastLine = 0
    private var skippingOversized = false
    private var ranges: [(Int, Int, Bool)] = []  // start, end, quoted

    init(timezone: String, file: String) {
        self.file = file
        self.timestamps = PostgresTimestampParser(timezone: timezone)
        ranges.reserveCapacity(32)
    }

    /// Is the record still open (a quoted field spans into the next line)?
    var isInsideRecord: Bool { !buffer.isEmpty || inQuotes }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        var end = b.count
        if !inQuotes, buffer.isEmpty {
            if end > 0, b[end - 1] == Bytes.cr { end -= 1 }
            if end == 0 { return }
            // Fast path: the whole record on this line, parsed in place.
            var q = false
            for i in 0..<end where b[i] == Bytes.quote { q.toggle() }
            if !q {
                parse(UnsafeBufferPointer(rebasing: b[0..<end]), first: n, last: n, into: &out)
                return
            }
            firstLine = n
        }
        if skippingOversized {
            // Stay out of the oversized record until its quotes close.
            for i in 0..<end where b[i] == Bytes.quote { inQuotes.toggle() }
            lastLine = n
            if !inQuotes { skippingOversized = false }
            return
        }
        if !buffer.isEmpty { buffer.append(Bytes.newline) }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<end]))
        for i in 0..<end where b[i] == Bytes.quote { inQuotes.toggle() }
        lastLine = n
        if buffer.count > maxRecordBytes {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: firstLine, endLine: n),
                                              reason: "csvlog record longer than \(maxRecordBytes) bytes"))
            buffer.removeAll()
            skippingOversized = inQuotes
            return
        }
        if !inQuotes {
            var rec = buffer
            buffer.removeAll(keepingCapacity: true)
            if let last = rec.last, last == Bytes.cr { rec.removeLast() }
            rec.withUnsafeBufferPointer { parse($0, first: firstLine, last: n, into: &out) }
        }
    }

    mutating func finish(into out: inout PostgresReaderSink) {
        if !buffer.isEmpty || skippingOversized {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: firstLine, endLine: lastLine),
                                              reason: "csvlog record with an unclosed quote at the end of the input"))
        }
        buffer.removeAll()
        inQuotes = false
        skippingOversized = false
    }

    private mutating func parse(_ b: UnsafeBufferPointer<UInt8>, first: Int, last: Int, into out: inout PostgresReaderSink) {
        let position = SourcePosition(file: file, line: first, endLine: last)
        guard Self.split(b, into: &ranges) else {
            out.unparsed(UnparsedLine(position: position, reason: "malformed csvlog quoting"))
            return
        }
        let count = ranges.count
        guard count == 23 || count == 24 || count == 26 else {
            out.unparsed(UnparsedLine(position: position,
                reason: "csvlog record with \(count) columns; expected 23 (PostgreSQL ≤ 12), 24 (13) or 26 (14+)"))
            return
        }
        func field(_ i: Int) -> String? {
            let (s, e, quoted) = ranges[i]
            if s == e { return nil }
            return quoted ? Self.unquote(b, s, e) : Bytes.string(b, s, e)
        }
        let (ts, te, _) = ranges[0]
        guard let time = timestamps.parse(b, ts, te) else {
            out.unparsed(UnparsedLine(position: position, reason: "csvlog record without a valid log_time"))
            return
        }
        guard let severity = field(11) else {
            out.unparsed(UnparsedLine(position: position, reason: "csvlog record without error_severity"))
            return
        }
        var r = PostgresLogRecord(position: position, time: time, severity: severity, message: field(13) ?? "")
        r.user = field(1)
        r.database = field(2)
        r.pid = Bytes.parseInt(b, ranges[3].0, ranges[3].1)
        if let from = field(4) { r.clientHost = Self.stripPort(from) }
        r.sessionID = field(5)
        r.sessionLine = Bytes.parseInt(b, ranges[6].0, ranges[6].1)
        r.sqlstate = field(12)
        r.detail = field(14)
        r.hint = field(15)
        r.internalQuery = field(16)
        r.context = field(18)
        r.statement = field(19)
        r.location = field(21)
        r.application = field(22)
        if let a = r.application {
            r.applicationNameLooksForged = a.withBytes { StderrLogReader.looksLikePrefix($0, 0, $0.count) }
        }
        if count >= 24 { r.backendType = field(23) }
        if count >= 26 { r.queryID = Bytes.parseInt64(b, ranges[25].0, ranges[25].1) }
        out.record(r)
    }

    /// Splits one record into field ranges (quotes excluded); false on broken quoting.
    static func split(_ b: UnsafeBufferPointer<UInt8>, into ranges: inout [(Int, Int, Bool)]) -> Bool {
        ranges.removeAll(keepingCapacity: true)
        var i = 0
        let n = b.count
        while true {
            if i < n, b[i] == Bytes.quote {
                let s = i + 1
                var j = s
                while true {
                    guard j < n else { return false }
                    if b[j] == Bytes.quote {
                        if j + 1 < n, b[j + 1] == Bytes.quote { j += 2; continue }
                        break
                    }
                    j += 1
                }
                ranges.append((s, j, true))
                i = j + 1
                if i == n { return true }
                guard b[i] == Bytes.comma else { return false }
                i += 1
            } else {
                let s = i
                while i < n, b[i] != Bytes.comma { i += 1 }
                ranges.append((s, i, false))
                if i == n { return true }
                i += 1
            }
        }
    }

    /// A quoted field's text with `""` turned back into `"`.
    static func unquote(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        guard Bytes.find(Bytes.quote, b, s, e) != nil else { return Bytes.string(b, s, e) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var i = s
        while i < e {
            out.append(b[i])
            i += b[i] == Bytes.quote ? 2 : 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `127.0.0.1:45290` → `127.0.0.1`; `[local]` stays.
    static func stripPort(_ s: String) -> String {
        guard let colon = s.lastIndex(of: ":") else { return s }
        let port = s[s.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else { return s }
        return String(s[..<colon])
    }
}
