import TenantWatchModel

/// Reads PostgreSQL's jsonlog (PostgreSQL 15+): one JSON object a line. Keys with empty values
/// are left out by the server (`user`, `dbname`, `application_name`, `detail`, `statement`,
/// and `state_code` when it is 00000); `query_id` is a signed 64-bit integer.
struct JSONLogReader {
    let file: String
    private var timestamps: PostgresTimestampParser

    init(timezone: String, file: String) {
        self.file = file
        self.timestamps = PostgresTimestampParser(timezone: timezone)
    }

    /// The head of a line the line reader cut: closed where it stops (the string it stops in
    /// ends there, minus a half-written escape) and read as a record marked `textCut`, so the
    /// statement it holds is an `unjudged_statement` rather than lost. The server writes
    /// `message` before `detail`, `statement` and the rest, so the head holds what matters.
    /// A head that still does not read is left to the caller's unparsed line.
    mutating func cutLine(_ head: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        var closed = Array(head)
        var inString = false
        var halfEscape: Int? = nil
        var i = 0
        while i < closed.count {
            let c = closed[i]
            if inString, c == Bytes.backslash {
                // `\` at the very end, or `\u` without its four hex digits: cut short.
                let needs = i + 1 < closed.count && closed[i + 1] == 117 /* u */ ? 6 : 2
                if i + needs > closed.count { halfEscape = i; break }
                i += 2
                continue
            }
            if c == Bytes.quote { inString.toggle() }
            i += 1
        }
        if let at = halfEscape { closed.removeSubrange(at...) }
        if inString { closed.append(Bytes.quote) }
        closed.append(Bytes.rbrace)
        closed.withUnsafeBufferPointer { feed($0, lineNumber: n, into: &out, cut: true) }
    }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink, cut: Bool = false) {
        var end = b.count
        while end > 0, b[end - 1] == Bytes.cr || b[end - 1] == Bytes.space { end -= 1 }
        if end == 0 { return }
        let line = UnsafeBufferPointer(rebasing: b[0..<end])
        let position = SourcePosition(file: file, line: n)
        var r = PostgresLogRecord(position: position, severity: "", message: "")
        var time: (Int, Int)? = nil
        var remoteHost: String? = nil
        var hasSeverity = false
        var funcName: String? = nil, fileName: String? = nil, fileLine: Int64? = nil
        let ok = FlatJSONScanner.scan(line) { ks, ke, v in
            let klen = ke - ks
            func str() -> String? {
                switch v {
                case .string(let s, let e, let esc): return FlatJSONScanner.decode(line, s, e, hasEscapes: esc)
                case .number(let s, let e), .literal(let s, let e): return Bytes.string(line, s, e)
                }
            }
            func int64() -> Int64? {
                if case .number(let s, let e) = v { return Bytes.parseInt64(line, s, e) }
                if case .string(let s, let e, _) = v { return Bytes.parseInt64(line, s, e) }
                return nil
            }
            @inline(__always) func key(_ k: StaticString) -> Bool {
                klen == k.utf8CodeUnitCount && Bytes.hasPrefix(line, ks, ke, k)
            }
            switch klen {
            case 3: if key("pid") { r.pid = int64().map { Int($0) } }
            case 4: if key("user") { r.user = str() }
            case 5: if key("hint") { r.hint = str() }
            case 6: if key("dbname") { r.dbname = str() } else if key("detail") { r.detail = str() }
            case 7:
                if key("message") { r.message = str() ?? "" } else if key("context") { r.context = str() }
            case 8: if key("query_id") { r.queryID = int64() } else if key("line_num") { r.sessionLine = int64().map { Int($0) } }
            case 9:
                if key("timestamp"), case .string(let s, let e, _) = v { time = (s, e) }
                else if key("statement") { r.statement = str() }
                else if key("func_name") { funcName = str() }
                else if key("file_name") { fileName = str() }
            case 10:
                if key("session_id") { r.sessionID = str() } else if key("state_code") { r.sqlstate = str() }
            case 11: if key("remote_host") { remoteHost = str() }
            case 12: if key("backend_type") { r.backendType = str() }
            case 13: if key("file_line_num") { fileLine = int64() }
            case 14:
                if key("error_severity") { r.severity = str() ?? ""; hasSeverity = true }
                else if key("internal_query") { r.internalQuery = str() }
            case 16: if key("application_name") { r.application = str() }
            default: break
            }
        }
        guard ok else {
            if !cut { out.unparsed(UnparsedLine(position: position, reason: "not a flat JSON object (jsonlog)")) }
            return
        }
        guard hasSeverity, let (ts, te) = time, let t = timestamps.parse(line, ts, te) else {
            if cut { return }
            out.unparsed(UnparsedLine(position: position, reason: "jsonlog line without timestamp or error_severity"))
            return
        }
        r.time = t
        r.clientHost = remoteHost
        // Same shape as csvlog's and stderr's LOCATION: `func, file:line`.
        if let f = funcName {
            r.location = fileName.map { "\(f), \($0)" + (fileLine.map { ":\($0)" } ?? "") } ?? f
        }
        if r.sqlstate == nil { r.sqlstate = "00000" }
        if let a = r.application {
            r.applicationNameLooksForged = a.withBytes { StderrLogReader.looksLikePrefix($0, 0, $0.count) }
        }
        r.textCut = cut
        out.record(r)
    }
}

private extension PostgresLogRecord {
    var dbname: String? {
        get { database }
        set { database = newValue }
    }
}
