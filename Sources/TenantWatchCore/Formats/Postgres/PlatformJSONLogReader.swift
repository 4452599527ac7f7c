import Foundation
import TenantWatchModel

/// Reads PostgreSQL logs that a platform wrapped in JSON, one object a line:
///
/// - **Google Cloud SQL**, a Cloud Logging export (`gcloud logging read --format=json` flattened
///   to lines, or a log sink's files): the server's stderr line is `textPayload`, with Cloud SQL's
///   own `log_line_prefix`; pgaudit entries (`cloudsql.enable_pgaudit`) come as
///   `protoPayload.request` of type `google.cloud.sql.audit.v1.PgAuditEntry`.
/// - **CloudNativePG** (Kubernetes): the instance manager writes `{"level":..,"ts":..,
///   "logger":"postgres","msg":"record","record":{csvlog fields}}`; pgaudit lines come with
///   `"logger":"pgaudit"` and the record's `audit` object.
/// - **Azure Database for PostgreSQL** flexible server, diagnostic settings' JSON export
///   (`PostgreSQLLogs`): the message and its fields in `properties` (or, in the
///   resource-specific `PGSQLServerLogs` table, as top-level columns).
///
/// Lines of other kinds in the same stream (the operator's own `logger`s, other Cloud Logging
/// logs) are not PostgreSQL records: they are skipped, and counted apart (`otherLines`).
struct PlatformJSONLogReader {
    enum Shape: Sendable { case cloudSQL, cloudNativePG, azure }

    let shape: Shape
    let file: String
    /// Cloud SQL's `textPayload` and Azure's `prefix` + message are stderr lines.
    var stderr: StderrLogReader
    private var timestamps: PostgresTimestampParser
    private(set) var otherLines = 0
    /// Cloud SQL pgaudit statements still missing chunks, by session/statement/substatement.
    private var auditChunks: [String: String] = [:]

    init(shape: Shape, prefix: String?, timezone: String, file: String) {
        self.shape = shape
        self.file = file
        self.stderr = StderrLogReader(prefix: prefix, timezone: timezone, file: file)
        self.timestamps = PostgresTimestampParser(timezone: timezone)
    }

    /// Which platform a JSON line comes from, by the keys only it writes; nil: PostgreSQL's own jsonlog
    /// (or something else).
    static func shape(of b: UnsafeBufferPointer<UInt8>) -> Shape? {
        if Bytes.find("\"textPayload\"", b, 0, b.count) != nil || Bytes.find("PgAuditEntry", b, 0, b.count) != nil
            || Bytes.find("cloudsql.googleapis.com", b, 0, b.count) != nil { return .cloudSQL }
        // Every CloudNativePG line has `logger`, and `record` (PostgreSQL's) or `logging_pod`
        // (`logging_podName` before 1.22) — the operator's own lines too.
        if Bytes.find("\"logger\"", b, 0, b.count) != nil, Bytes.find("\"record\"", b, 0, b.count) != nil
            || Bytes.find("\"logging_pod", b, 0, b.count) != nil { return .cloudNativePG }
        if Bytes.find("PostgreSQLLogs", b, 0, b.count) != nil || Bytes.find("\"ErrorLevel\"", b, 0, b.count) != nil { return .azure }
        return nil
    }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        var end = b.count
        while end > 0, b[end - 1] == Bytes.cr || b[end - 1] == Bytes.space { end -= 1 }
        guard end > 0 else { return }
        let position = SourcePosition(file: file, line: n)
        if shape == .cloudNativePG, cloudNativePGRecord(UnsafeBufferPointer(rebasing: b[0..<end]), n, &out) { return }
        if shape == .cloudSQL, cloudSQLTextPayload(UnsafeBufferPointer(rebasing: b[0..<end]), n, &out) { return }
        let value: JSONValue
        do {
            value = try JSONParser.parse(UnsafeBufferPointer(rebasing: b[0..<end]), maximumDepth: 64)
        } catch {
            out.unparsed(UnparsedLine(position: position, reason: "not a JSON object: \(error)"))
            return
        }
        switch shape {
        case .cloudSQL: cloudSQL(value, n, &out)
        case .cloudNativePG: cloudNativePG(value, n, &out)
        case .azure: azure(value, n, &out)
        }
    }

    // MARK: Cloud SQL

    private mutating func cloudSQL(_ v: JSONValue, _ n: Int, _ out: inout PostgresReaderSink) {
        let entryTime = parseTime(v["timestamp"]?.scalarText)
        if case .string(let text)? = v["textPayload"] {
            // One entry per server record; its lines (continuations, DETAIL) are read as stderr lines.
            stderr.envelopeTime = entryTime
            stderr.envelopePID = nil
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                var l = String(line)
                l.withUTF8 { stderr.feed($0, lineNumber: n, into: &out) }
            }
            return
        }
        if let request = v["protoPayload"]?["request"], request["@type"]?.scalarText?.hasSuffix("PgAuditEntry") == true {
            // A long statement comes in `chunkCount` entries: held until its last chunk.
            var statement = request["statement"]
            if let count = request["chunkCount"]?.scalarText.flatMap({ Int($0) }), count > 1,
               let index = request["chunkIndex"]?.scalarText.flatMap({ Int($0) }) {
                let key = [request["databaseSessionId"], request["statementId"], request["substatementId"]]
                    .map { $0?.scalarText ?? "" }.joined(separator: "/")
                let text = (auditChunks[key] ?? "") + (request["statement"]?.scalarText ?? "")
                guard index >= count else {
                    if auditChunks.count >= 1_000 { auditChunks.removeAll() }
                    auditChunks[key] = text
                    return
                }
                auditChunks[key] = nil
                statement = .string(text)
            }
            var r = PostgresLogRecord(position: SourcePosition(file: file, line: n), time: entryTime,
                                      pid: request["databaseSessionId"]?.scalarText.flatMap { Int($0) },
                                      severity: "LOG", message: "")
            r.user = request["user"]?.scalarText
            r.database = request["database"]?.scalarText
            r.message = Self.auditMessage(type: request["auditType"], statementID: request["statementId"],
                                          substatementID: request["substatementId"], auditClass: request["auditClass"],
                                          command: request["command"], objectType: request["objectType"],
                                          objectName: request["object"], statement: statement,
                                          parameter: request["parameter"])
            out.record(r)
            return
        }
        otherLines += 1
    }

    // MARK: CloudNativePG

    private mutating func cloudNativePG(_ v: JSONValue, _ n: Int, _ out: inout PostgresReaderSink) {
        let logger = v["logger"]?.scalarText
        guard logger == "postgres" || logger == "pgaudit", let rec = v["record"], case .object = rec else {
            otherLines += 1
            return
        }
        func s(_ k: String) -> String? {
            guard let t = rec[k]?.scalarText, !t.isEmpty else { return nil }
            return t
        }
        let position = SourcePosition(file: file, line: n)
        guard let severity = s("error_severity"), let t = parseTime(s("log_time")) else {
            out.unparsed(UnparsedLine(position: position, reason: "CloudNativePG record without log_time or error_severity"))
            return
        }
        var r = PostgresLogRecord(position: position, time: t, pid: s("process_id").flatMap { Int($0) },
                                  sessionID: s("session_id"), severity: severity, message: s("message") ?? "")
        r.user = s("user_name")
        r.database = s("database_name")
        r.application = s("application_name")
        r.clientHost = s("connection_from").map(CSVLogReader.stripPort)
        r.sqlstate = s("sql_state_code") ?? "00000"
        r.detail = s("detail")
        r.hint = s("hint")
        r.context = s("context")
        r.statement = s("query")
        r.internalQuery = s("internal_query")
        r.location = s("location")
        r.backendType = s("backend_type")
        r.queryID = s("query_id").flatMap { Int64($0) }
        r.sessionLine = s("session_line_num").flatMap { Int($0) }
        if logger == "pgaudit", let a = rec["audit"] {
            r.message = Self.auditMessage(type: a["audit_type"], statementID: a["statement_id"],
                                          substatementID: a["substatement_id"], auditClass: a["class"],
                                          command: a["command"], objectType: a["object_type"], objectName: a["object_name"],
                                          statement: a["statement"], parameter: a["parameter"])
        }
        if let app = r.application {
            r.applicationNameLooksForged = app.withBytes { StderrLogReader.looksLikePrefix($0, 0, $0.count) }
        }
        out.record(r)
    }

    /// The hot path for CloudNativePG's `logger: postgres` lines: the `record` object is flat
    /// (strings only), so it is read in place like a jsonlog line, without building a JSON tree
    /// (which cost four times the stderr reader's time a line). false: not such a line, or not
    /// flat — the general path reads it.
    private mutating func cloudNativePGRecord(_ line: UnsafeBufferPointer<UInt8>, _ n: Int,
                                              _ out: inout PostgresReaderSink) -> Bool {
        guard Bytes.find("\"logger\":\"postgres\"", line, 0, line.count) != nil,
              let at = Bytes.find("\"record\":", line, 0, line.count) else { return false }
        var i = at + 9
        while i < line.count, line[i] == Bytes.space { i += 1 }
        guard i < line.count, line[i] == Bytes.lbrace else { return false }
        // The object's end. The instance manager writes `record` last, so the line ends `}}`:
        // that end is tried first, and holds only if the bytes up to it are one flat object
        // (FlatJSONScanner refuses anything after the object's own closing brace). That saves a
        // walk over the record (a sixth of this path's time); otherwise, braces outside strings.
        var last = line.count - 1
        while last > i, line[last] == Bytes.space || line[last] == Bytes.cr { last -= 1 }
        var j = last > i + 1 && line[last] == Bytes.rbrace && line[last - 1] == Bytes.rbrace ? last - 1 : -1
        // First the ranges; Strings only for records that can become events (as the stderr
        // reader's lean records: a connection or a bare `duration:` needs none of them).
        typealias Range = (s: Int, e: Int, esc: Bool)
        var f = [Range](repeating: (0, 0, false), count: 19)
        let names = Self.recordKeys
        func scanRecord(_ rec: UnsafeBufferPointer<UInt8>) -> Bool {
            FlatJSONScanner.scan(rec) { ks, ke, v in
                guard case .string(let s, let e, let esc) = v, e > s else { return }
                for k in 0..<names.count where ke - ks == names[k].utf8CodeUnitCount && Bytes.hasPrefix(rec, ks, ke, names[k]) {
                    f[k] = (s, e, esc)
                    return
                }
            }
        }
        var ok = j > i && scanRecord(UnsafeBufferPointer(rebasing: line[i...j]))
        if !ok {
            for k in f.indices { f[k] = (0, 0, false) }
            j = Self.objectEnd(line, from: i)
            guard j < line.count else { return false }
            ok = scanRecord(UnsafeBufferPointer(rebasing: line[i...j]))
        }
        let rec = UnsafeBufferPointer(rebasing: line[i...j])
        func has(_ k: Int) -> Bool { f[k].e > f[k].s }
        func str(_ k: Int) -> String? { has(k) ? FlatJSONScanner.decode(rec, f[k].s, f[k].e, hasEscapes: f[k].esc) : nil }
        guard ok, has(1), has(2), let t = timestamps.parse(rec, f[1].s, f[1].e) else { return false }
        let position = SourcePosition(file: file, line: n)
        let severityWord = PostgresSeverity.classify(rec, f[2].s, f[2].e)?.1
        var r = PostgresLogRecord(position: position, time: t, pid: has(3) ? Bytes.parseInt(rec, f[3].s, f[3].e) : nil,
                                  sessionID: str(7), severity: severityWord.map(PostgresSeverity.name) ?? (str(2) ?? ""),
                                  message: "")
        if let w = severityWord, !StderrLogReader.interesting(w, rec, f[0].s, f[0].e) {
            if Bytes.hasPrefix(rec, f[0].s, f[0].e, "duration: ") {
                r.message = PgBadgerQueryCount.leanDurationMessage(rec, f[0].s, f[0].e)
            }
            out.record(r)
            return true
        }
        r.message = str(0) ?? ""
        r.user = str(4)
        r.database = str(5)
        r.application = str(6)
        r.clientHost = str(8).map(CSVLogReader.stripPort)
        r.sqlstate = str(9) ?? "00000"
        r.detail = str(10)
        r.hint = str(11)
        r.context = str(12)
        r.statement = str(13)
        r.internalQuery = str(14)
        r.location = str(15)
        r.backendType = str(16)
        r.queryID = has(17) ? Bytes.parseInt64(rec, f[17].s, f[17].e) : nil
        r.sessionLine = has(18) ? Bytes.parseInt(rec, f[18].s, f[18].e) : nil
        if let a = r.application {
            r.applicationNameLooksForged = a.withBytes { StderrLogReader.looksLikePrefix($0, 0, $0.count) }
        }
        out.record(r)
        return true
    }

    /// CloudNativePG's `record` keys (csvlog's column names), in the order `cloudNativePGRecord` indexes them.
    private static let recordKeys: [StaticString] = [
        "message", "log_time", "error_severity", "process_id", "user_name", "database_name", "application_name",
        "session_id", "connection_from", "sql_state_code", "detail", "hint", "context", "query", "internal_query",
        "location", "backend_type", "query_id", "session_line_num"]

    // MARK: Azure

    private mutating func azure(_ v: JSONValue, _ n: Int, _ out: inout PostgresReaderSink) {
        // Diagnostic settings' export: fields in `properties`; the PGSQLServerLogs table: top level.
        let p = v["properties"] ?? v
        guard let level = (p["errorLevel"] ?? p["ErrorLevel"])?.scalarText,
              let message = (p["message"] ?? p["Message"])?.scalarText else {
            otherLines += 1
            return
        }
        let time = parseTime((v["time"] ?? v["TimeGenerated"] ?? p["timestamp"])?.scalarText)
        if let prefix = p["prefix"]?.scalarText, !prefix.isEmpty {
            // The server's own `log_line_prefix` text: read the line as the server wrote it.
            stderr.envelopeTime = time
            stderr.envelopePID = (p["processId"] ?? p["ProcessId"])?.scalarText.flatMap { Int($0) }
            // A field's own newlines come without the TAB the stderr log writes after them.
            func split(_ word: String, _ text: String) -> [String] {
                text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { k, piece in
                    k == 0 ? prefix + word + ":  " + piece : (piece.hasPrefix("\t") ? String(piece) : "\t" + piece)
                }
            }
            var lines = split(level, message)
            for field in [("DETAIL", p["detail"]), ("HINT", p["hint"]), ("CONTEXT", p["context"]), ("STATEMENT", p["statement"])] {
                if let t = field.1?.scalarText, !t.isEmpty { lines += split(field.0, t) }
            }
            for var l in lines { l.withUTF8 { stderr.feed($0, lineNumber: n, into: &out) } }
            return
        }
        func s(_ a: String, _ b: String) -> String? {
            guard let t = (p[a] ?? p[b])?.scalarText, !t.isEmpty else { return nil }
            return t
        }
        var r = PostgresLogRecord(position: SourcePosition(file: file, line: n), time: time,
                                  pid: s("processId", "ProcessId").flatMap { Int($0) }, severity: level, message: message)
        r.user = s("userName", "UserName")
        r.database = s("databaseName", "DatabaseName")
        r.sqlstate = s("sqlerrcode", "SqlErrorCode") ?? "00000"
        r.detail = s("detail", "Detail")
        r.hint = s("hint", "Hint")
        r.context = s("context", "Context")
        r.statement = s("statement", "Statement")
        r.internalQuery = s("query", "Query")
        r.backendType = s("backendType", "BackendType")
        out.record(r)
    }

    // MARK: helpers

    /// RFC 3339 (`2024-03-01T10:00:02.123456Z`) or PostgreSQL's (`2024-03-01 10:00:02.123 UTC`).
    /// Where the JSON object opening at `from` ends (its closing brace; `line.count` if never):
    /// braces outside strings.
    static func objectEnd(_ line: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var depth = 0, j = i, inString = false
        while j < line.count {
            let c = line[j]
            if inString {
                if c == Bytes.backslash { j += 2; continue }
                if c == Bytes.quote { inString = false }
            } else if c == Bytes.quote {
                inString = true
            } else if c == Bytes.lbrace {
                depth += 1
            } else if c == Bytes.rbrace {
                depth -= 1
                if depth == 0 { return j }
            }
            j += 1
        }
        return line.count
    }

    /// An entry's own time, from its bytes (`cloudSQLTextPayload`).
    mutating func entryTime(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Timestamp? {
        timestamps.parse(b, s, e)
    }

    private mutating func parseTime(_ text: String?) -> Timestamp? {
        guard var t = text else { return nil }
        return t.withUTF8 { timestamps.parse($0, 0, $0.count) }
    }

    /// The fields of a structured pgaudit entry as the `AUDIT:` message pgaudit writes, so one
    /// parser reads both (CSV, quoted where needed).
    static func auditMessage(type: JSONValue?, statementID: JSONValue?, substatementID: JSONValue?, auditClass: JSONValue?,
                             command: JSONValue?, objectType: JSONValue?, objectName: JSONValue?, statement: JSONValue?,
                             parameter: JSONValue?) -> String {
        func csv(_ v: JSONValue?) -> String {
            let t = v?.scalarText ?? ""
            guard t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return t }
            return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let fields = [type, statementID, substatementID, auditClass, command, objectType, objectName, statement]
        let param = parameter?.scalarText ?? "<not logged>"
        return "AUDIT: " + fields.map(csv).joined(separator: ",") + "," + csv(.string(param))
    }
}
