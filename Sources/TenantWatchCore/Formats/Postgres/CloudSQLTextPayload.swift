/// The hot path for Google Cloud SQL's Cloud Logging lines (`PlatformJSONLogReader`, shape
/// `cloudSQL`): nearly every line is a `LogEntry` whose `textPayload` is one server record, and
/// building a JSON tree of the whole entry (resource labels, insertId, ...) to take two strings
/// out of it cost five times the stderr reader's time a record. Here the entry's top-level
/// members are walked in place, nested objects skipped, and a `textPayload` without escapes (one
/// line, no quotes) is handed to the stderr reader where it lies. Entries without `textPayload`
/// (pgaudit's `protoPayload`) still go the general way.
extension PlatformJSONLogReader {
    /// true: the line was a `textPayload` entry and is read; false: the general path reads it.
    mutating func cloudSQLTextPayload(_ line: UnsafeBufferPointer<UInt8>, _ n: Int, _ out: inout PostgresReaderSink) -> Bool {
        guard Bytes.find("\"textPayload\"", line, 0, line.count) != nil else { return false }
        var text: (s: Int, e: Int, escaped: Bool)? = nil
        var time: (s: Int, e: Int)? = nil
        let ok = JSONTopLevelMembers.scan(line) { ks, ke, v in
            guard case .string(let s, let e, let escaped) = v else { return }
            if ke - ks == 11, Bytes.hasPrefix(line, ks, ke, "textPayload") { text = (s, e, escaped) }
            else if ke - ks == 9, Bytes.hasPrefix(line, ks, ke, "timestamp") { time = (s, e) }
        }
        guard ok, let t = text else { return false }
        stderr.envelopeTime = time.flatMap { entryTime(line, $0.s, $0.e) }
        stderr.envelopePID = nil
        if !t.escaped {
            // No escape: no newline either (JSON writes it `\n`), so one stderr line.
            if t.e > t.s { stderr.feed(UnsafeBufferPointer(rebasing: line[t.s..<t.e]), lineNumber: n, into: &out) }
            return true
        }
        // One entry per server record; its lines (continuations, DETAIL) are read as stderr lines.
        let decoded = Array(FlatJSONScanner.decode(line, t.s, t.e, hasEscapes: true).utf8)
        decoded.withUnsafeBufferPointer { b in
            var start = 0
            for i in 0...b.count where i == b.count || b[i] == Bytes.newline {
                if i > start { stderr.feed(UnsafeBufferPointer(rebasing: b[start..<i]), lineNumber: n, into: &out) }
                start = i + 1
            }
        }
        return true
    }
}

/// The top-level members of one JSON object, in place: strings, numbers and literals handed
/// over as `FlatJSONScanner` does, nested objects and arrays skipped whole (their strings
/// respected, so a brace inside one does not end them).
enum JSONTopLevelMembers {
    /// false when the bytes are not one JSON object.
    static func scan(_ b: UnsafeBufferPointer<UInt8>, _ member: (Int, Int, FlatJSONScanner.Value) -> Void) -> Bool {
        let n = b.count
        var i = 0
        func ws() { while i < n, b[i] == Bytes.space || b[i] == Bytes.tab || b[i] == Bytes.cr || b[i] == Bytes.newline { i += 1 } }
        func string() -> (Int, Int, Bool)? {
            guard i < n, b[i] == Bytes.quote else { return nil }
            i += 1
            let s = i
            var escaped = false
            while i < n {
                if b[i] == Bytes.quote { let e = i; i += 1; return (s, e, escaped) }
                if b[i] == Bytes.backslash { escaped = true; i += 2; continue }
                i += 1
            }
            return nil
        }
        ws()
        guard i < n, b[i] == Bytes.lbrace else { return false }
        i += 1
        ws()
        if i < n, b[i] == Bytes.rbrace { return true }
        while true {
            ws()
            guard let (ks, ke, _) = string() else { return false }
            ws()
            guard i < n, b[i] == Bytes.colon else { return false }
            i += 1
            ws()
            guard i < n else { return false }
            let c = b[i]
            if c == Bytes.quote {
                guard let (s, e, escaped) = string() else { return false }
                member(ks, ke, .string(start: s, end: e, hasEscapes: escaped))
            } else if c == Bytes.lbrace || c == Bytes.lbracket {
                var depth = 0
                while i < n {
                    let d = b[i]
                    if d == Bytes.quote { guard string() != nil else { return false }; continue }
                    if d == Bytes.lbrace || d == Bytes.lbracket { depth += 1 }
                    else if d == Bytes.rbrace || d == Bytes.rbracket { depth -= 1; if depth == 0 { i += 1; break } }
                    i += 1
                }
                guard depth == 0 else { return false }
            } else {
                let s = i
                while i < n, b[i] != Bytes.comma, b[i] != Bytes.rbrace, b[i] != Bytes.space { i += 1 }
                member(ks, ke, Bytes.isAlpha(c) ? .literal(start: s, end: i) : .number(start: s, end: i))
            }
            ws()
            guard i < n else { return false }
            if b[i] == Bytes.comma { i += 1; continue }
            if b[i] == Bytes.rbrace { i += 1; ws(); return i == n }
            return false
        }
    }
}
