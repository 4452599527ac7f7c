import TenantWatchModel

/// Reads PostgreSQL's csvlog (`log_destination = csvlog`): RFC 4180 records whose quoted fields
/// hold raw newlines, so one record can span several physical lines.
///
/// Column sets by server version (counted, not configured): 23 columns up to PostgreSQL 12,
/// 24 in 13 (`backend_type`), 26 from 14 on (`leader_pid`, `query_id`). A record still open at
/// the end of input (unclosed quote), or one growing past `maxRecordBytes`, is reported as
/// unparsed with its line range and reading goes on with the next line. A broken record (cut
/// off, or garbage with a stray quote) that swallowed the good records after it is split again at
/// the next line that starts like a record (`recover`).
struct CSVLogReader {
    let file: String
    var maxRecordBytes = LineReader.defaultMaximumLineLength
    private var timestamps: PostgresTimestampParser
    private var buffer: [UInt8] = []
    /// Where each physical line of the buffered record starts in `buffer` (for `recover`).
    private var lineStarts: [Int] = []
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
                let record = UnsafeBufferPointer(rebasing: b[0..<end])
                if let failure = parse(record, first: n, last: n, into: &out) {
                    out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n), reason: failure))
                }
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
        lineStarts.append(buffer.count)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<end]))
        for i in 0..<end where b[i] == Bytes.quote { inQuotes.toggle() }
        lastLine = n
        if buffer.count > maxRecordBytes {
            // Not recovered like a broken record: inside a legitimate oversized statement, a line
            // that looks like a record start may be text the client wrote (a forged record).
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: firstLine, endLine: n),
                                              reason: "csvlog record longer than \(maxRecordBytes) bytes"))
            emitHead(last: n, into: &out)
            buffer.removeAll()
            lineStarts.removeAll()
            skippingOversized = inQuotes
            return
        }
        if !inQuotes {
            var count = buffer.count
            if count > 0, buffer[count - 1] == Bytes.cr { count -= 1 }
            let failure = buffer.withUnsafeBufferPointer {
                parse(UnsafeBufferPointer(rebasing: $0[0..<count]), first: firstLine, last: n, into: &out)
            }
            if let failure {
                recover(reason: failure, into: &out)
            } else {
                buffer.removeAll(keepingCapacity: true)
                lineStarts.removeAll(keepingCapacity: true)
            }
        }
    }

    mutating func finish(into out: inout PostgresReaderSink) {
        if skippingOversized {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: firstLine, endLine: lastLine),
                                              reason: "csvlog record with an unclosed quote at the end of the input"))
        } else {
            // What recovery feeds again may itself end inside a quote: each round drops a line.
            while !buffer.isEmpty {
                recover(reason: "csvlog record with an unclosed quote at the end of the input", into: &out)
            }
        }
        reset()
    }

    /// A followed file has been quiet for about a second with a record still open. PostgreSQL
    /// writes a record's lines back to back, so it is a broken one: recovered now, or the good
    /// records it swallowed would wait for the end of the file.
    mutating func flushIdle(into out: inout PostgresReaderSink) {
        while !buffer.isEmpty, !skippingOversized {
            recover(reason: "csvlog record left open (no closing quote)", into: &out)
        }
    }

    /// The head of a line the line reader cut: added to the record it starts or continues, whose
    /// head is then kept as a cut record (`emitHead`); reading starts afresh with the next line.
    mutating func cutLine(_ head: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        if skippingOversized { abandonRecord(into: &out); return }
        if buffer.isEmpty { firstLine = n } else { buffer.append(Bytes.newline) }
        buffer.append(contentsOf: head)
        for b in head where b == Bytes.quote { inQuotes.toggle() }
        lastLine = n
        emitHead(last: n, into: &out)
        reset()
    }

    /// The record in `buffer` is over the size limit or was cut: it cannot be read whole, but
    /// when its head holds every field up to the message (log_time … message, the first 14), the
    /// record is kept with the message's head, marked `textCut` — a statement in it is then an
    /// `unjudged_statement`, not a silence. The head is closed where it stops (a quote added when
    /// it stops inside one); when even that does not split cleanly, only the unparsed line stays.
    private mutating func emitHead(last: Int, into out: inout PostgresReaderSink) {
        var head = buffer
        if inQuotes { head.append(Bytes.quote) }
        head.withUnsafeBufferPointer { b in
            guard Self.split(b, into: &ranges), ranges.count >= 14 else { return }
            func field(_ i: Int) -> String? {
                let (s, e, quoted) = ranges[i]
                if s == e { return nil }
                return quoted ? Self.unquote(b, s, e) : Bytes.string(b, s, e)
            }
            let (ts, te, _) = ranges[0]
            guard let time = timestamps.parse(b, ts, te), let severity = field(11) else { return }
            var r = PostgresLogRecord(position: SourcePosition(file: file, line: firstLine, endLine: last), time: time,
                                      severity: severity, message: field(13) ?? "")
            r.user = field(1)
            r.database = field(2)
            r.pid = Bytes.parseInt(b, ranges[3].0, ranges[3].1)
            if let from = field(4) { r.clientHost = Self.stripPort(from) }
            r.sessionID = field(5)
            r.sessionLine = Bytes.parseInt(b, ranges[6].0, ranges[6].1)
            r.sqlstate = field(12)
            r.textCut = true
            out.record(r)
        }
    }

    /// A line of the input was lost (cut by the line reader): the record it belongs to, if one
    /// is open, cannot be completed; it is reported and reading starts afresh with the next line.
    mutating func abandonRecord(into out: inout PostgresReaderSink) {
        if !buffer.isEmpty || skippingOversized {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: firstLine, endLine: lastLine),
                                              reason: "csvlog record interrupted by a line that was cut"))
        }
        reset()
    }

    private mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        lineStarts.removeAll(keepingCapacity: true)
        inQuotes = false
        skippingOversized = false
    }

    /// A buffered multi-line "record" that is none: it failed to parse once its quotes closed, or
    /// the input ended inside it. PostgreSQL writes well-formed records, so this is a broken one
    /// (cut off, or garbage with a stray quote) that swallowed the good records after it. Its
    /// lines up to the next line that starts like a record are reported; the rest are read again.
    /// A client cannot trigger this with text inside a field: PostgreSQL doubles its quotes.
    private mutating func recover(reason: String, into out: inout PostgresReaderSink) {
        let first = firstLine
        var lines: [[UInt8]] = []
        lines.reserveCapacity(lineStarts.count)
        for k in lineStarts.indices {
            let s = lineStarts[k]
            let e = k + 1 < lineStarts.count ? lineStarts[k + 1] - 1 : buffer.count
            lines.append(Array(buffer[s..<e]))
        }
        reset()
        var j = 1
        while j < lines.count, !lines[j].withUnsafeBufferPointer({ looksLikeRecordStart($0) }) { j += 1 }
        out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: first, endLine: first + j - 1), reason: reason))
        for k in j..<lines.count {
            lines[k].withUnsafeBufferPointer { feed($0, lineNumber: first + k, into: &out) }
        }
    }

    /// `2026-11-25 00:54:02.458 UTC,`: a csvlog log_time and its comma at the start of the line.
    private mutating func looksLikeRecordStart(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let (_, used) = timestamps.parsePrefix(b, 0, b.count) else { return false }
        return used < b.count && b[used] == Bytes.comma
    }

    /// Reads one record into `out`; the reason it is none otherwise (nothing is emitted then).
    private mutating func parse(_ b: UnsafeBufferPointer<UInt8>, first: Int, last: Int, into out: inout PostgresReaderSink) -> String? {
        let position = SourcePosition(file: file, line: first, endLine: last)
        guard Self.split(b, into: &ranges) else { return "malformed csvlog quoting" }
        let count = ranges.count
        guard count == 23 || count == 24 || count == 26 else {
            return "csvlog record with \(count) columns; expected 23 (PostgreSQL ≤ 12), 24 (13) or 26 (14+)"
        }
        func field(_ i: Int) -> String? {
            let (s, e, quoted) = ranges[i]
            if s == e { return nil }
            return quoted ? Self.unquote(b, s, e) : Bytes.string(b, s, e)
        }
        let (ts, te, _) = ranges[0]
        guard let time = timestamps.parse(b, ts, te) else { return "csvlog record without a valid log_time" }
        guard let severity = field(11) else { return "csvlog record without error_severity" }
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
        return nil
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
