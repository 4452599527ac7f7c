import TenantWatchModel

/// One PostgreSQL log record, whatever the format it was read from (stderr, csvlog, jsonlog).
///
/// The three readers normalise into this one shape so the interpreter that turns records into
/// events is written once. A stderr record is assembled from its primary line, its continuation
/// lines (embedded newlines) and its secondary lines (`DETAIL:`, `STATEMENT:`, ...), so `position`
/// spans every physical line that contributed to it.
public struct PostgresLogRecord: Sendable {
    public var position: SourcePosition
    public var time: Timestamp?
    public var pid: Int?
    public var sessionID: String?
    public var user: String?
    public var database: String?
    public var application: String?
    /// The client host without its port (`127.0.0.1`, `[local]`).
    public var clientHost: String?
    /// `LOG`, `ERROR`, `FATAL`, ... as written (English only; see `PostgresSeverity`).
    public var severity: String
    /// `SQLSTATE` when the log carries it (verbose stderr, csvlog, jsonlog).
    public var sqlstate: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var context: String?
    /// The `STATEMENT:` field: the statement the server was running when it reported this record.
    public var statement: String?
    /// The `QUERY:` field (internal query, e.g. inside PL/pgSQL).
    public var internalQuery: String?
    public var location: String?
    public var queryID: Int64?
    public var backendType: String?
    /// `%l` in stderr, `line_num` in csv/json.
    public var sessionLine: Int?
    /// The application name holds text that looks like a log prefix (a fake ` LOG:  `, a
    /// timestamp, `[digits]`): somebody tried to forge log lines through `application_name`.
    public var applicationNameLooksForged: Bool = false
    /// The prefix-like application name (the longest reading that has one): what the forger set,
    /// whichever reading of the line was kept.
    public var forgedApplication: String? = nil
    /// The stderr prefix admitted more than one reading of this line; the one kept is the one
    /// consistent with what the backend said before (see `PrefixMatcher`).
    public var prefixAmbiguous: Bool = false
    /// A continuation line of this record reads as a log record of its own (stderr): text a
    /// client wrote in a multi-line literal, kept as this record's text (see `StderrLogReader`).
    public var recordLikeContinuation: Bool = false
    /// A line of this record was longer than the line cap and only its head was read: the text
    /// is incomplete and must not be judged as if it were the statement.
    public var textCut: Bool = false
    /// stderr: the message's first line holds a second ` SEVERITY:  ` marker (see
    /// `StderrLogReader.severityMarker`): text a client wrote to look like a log line.
    public var severityMarkerInMessage: Bool = false
    /// The first such line.
    public var recordLikeContinuationLine: Int? = nil
    /// `backend` packed for the interpreter's per-backend table, when the reader already has it.
    var backendKey: BackendKey? = nil

    public init(position: SourcePosition, time: Timestamp? = nil, pid: Int? = nil, sessionID: String? = nil,
                user: String? = nil, database: String? = nil, application: String? = nil,
                clientHost: String? = nil, severity: String, sqlstate: String? = nil, message: String,
                detail: String? = nil, hint: String? = nil, context: String? = nil, statement: String? = nil,
                internalQuery: String? = nil, location: String? = nil, queryID: Int64? = nil,
                backendType: String? = nil, sessionLine: Int? = nil) {
        self.position = position
        self.time = time
        self.pid = pid
        self.sessionID = sessionID
        self.user = user
        self.database = database
        self.application = application
        self.clientHost = clientHost
        self.severity = severity
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.context = context
        self.statement = statement
        self.internalQuery = internalQuery
        self.location = location
        self.queryID = queryID
        self.backendType = backendType
        self.sessionLine = sessionLine
    }

    /// The backend that wrote the record (pid 0 when the log carries no pid).
    public var backend: BackendID { BackendID(pid: pid ?? 0, sessionID: sessionID) }
}

/// Severity words PostgreSQL writes when `lc_messages` is C/English.
///
/// Primary severities start a record; secondary ones (`DETAIL`, `STATEMENT`, ...) are further
/// fields of the record their backend wrote just before.
enum PostgresSeverity {
    static let primary: Set<String> = ["LOG", "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "INFO",
                                       "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5"]
    static let secondary: Set<String> = ["DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"]

    enum Kind { case primary, secondary }

    /// The severity as a `String` without building one per line (literals are static).
    static func name(_ word: StaticString) -> String {
        switch word.utf8CodeUnitCount {
        case 3: return "LOG"
        case 4: return word.utf8Start[0] == 73 ? "INFO" : "HINT"
        case 5:
            switch word.utf8Start[0] {
            case 69: return "ERROR"
            case 70: return "FATAL"
            case 80: return "PANIC"
            case 81: return "QUERY"
            default: return "DEBUG"
            }
        default: return word.description
        }
    }

    /// Classifies the bytes of a severity word without building a String.
    static func classify(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Kind, StaticString)? {
        let n = end - start
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            guard s.utf8CodeUnitCount == n else { return false }
            let p = s.utf8Start
            for i in 0..<n where b[start + i] != p[i] { return false }
            return true
        }
        switch n {
        case 3: if eq("LOG") { return (.primary, "LOG") }
        case 4: if eq("INFO") { return (.primary, "INFO") }; if eq("HINT") { return (.secondary, "HINT") }
        case 5:
            if eq("ERROR") { return (.primary, "ERROR") }; if eq("FATAL") { return (.primary, "FATAL") }
            if eq("PANIC") { return (.primary, "PANIC") }; if eq("DEBUG") { return (.primary, "DEBUG") }
            if eq("QUERY") { return (.secondary, "QUERY") }
        case 6:
            if eq("NOTICE") { return (.primary, "NOTICE") }; if eq("DETAIL") { return (.secondary, "DETAIL") }
            if eq("DEBUG1") { return (.primary, "DEBUG1") }; if eq("DEBUG2") { return (.primary, "DEBUG2") }
            if eq("DEBUG3") { return (.primary, "DEBUG3") }; if eq("DEBUG4") { return (.primary, "DEBUG4") }
            if eq("DEBUG5") { return (.primary, "DEBUG5") }
        case 7:
            if eq("WARNING") { return (.primary, "WARNING") }; if eq("CONTEXT") { return (.secondary, "CONTEXT") }
        case 8: if eq("LOCATION") { return (.secondary, "LOCATION") }
        case 9: if eq("STATEMENT") { return (.secondary, "STATEMENT") }
        default: break
        }
        return nil
    }
}
