/// One thing that happened, as read from a source: the single currency of the pipeline.
///
/// Parsers produce events; the correlator and detectors consume them. Every case carries its
/// source position, so nothing downstream needs to know about files or formats.
///
/// Every case but `statement` (itself one reference) is `indirect`: an event is as large as its
/// largest case, and it is moved several times between its parser and the correlator — with an
/// audit request inline, each move copied some 350 bytes for every statement.
public enum Event: Sendable {
    /// A SQL statement a backend executed (simple query, or one extended-protocol execution).
    case statement(StatementExecution)
    /// A pgaudit `AUDIT:` line: what the server says a statement touched.
    indirect case pgAudit(PgAuditRecord)
    /// An application audit-log line: one HTTP request and its caller.
    indirect case request(AuditRequest)
    /// A backend ended (`disconnection:`): its session state is gone.
    indirect case backendEnded(BackendID, Timestamp?, SourcePosition)
    /// A command a Redis server executed (`MONITOR` output).
    indirect case cacheCommand(CacheCommand)
    /// A search an Elasticsearch/OpenSearch slow log (or an application's audit line) shows.
    indirect case searchQuery(SearchQuery)
    /// A line (or record) that could not be understood, counted and kept for the summary.
    indirect case unparsed(UnparsedLine)

    public var position: SourcePosition {
        switch self {
        case .statement(let s): return s.position
        case .pgAudit(let a): return a.position
        case .request(let r): return r.position
        case .backendEnded(_, _, let p): return p
        case .cacheCommand(let c): return c.position
        case .searchQuery(let q): return q.position
        case .unparsed(let u): return u.position
        }
    }

    public var time: Timestamp? {
        switch self {
        case .statement(let s): return s.time
        case .pgAudit(let a): return a.time
        case .request(let r): return r.time
        case .backendEnded(_, let t, _): return t
        case .cacheCommand(let c): return c.time
        case .searchQuery(let q): return q.time
        case .unparsed: return nil
        }
    }
}

/// A PostgreSQL backend: the pid, and the session id when the log carries it (`%c`, csv/json).
/// The session id disambiguates a pid the kernel has reused.
public struct BackendID: Hashable, Sendable, Codable, CustomStringConvertible {
    public var pid: Int
    public var sessionID: String?
    public init(pid: Int, sessionID: String? = nil) {
        self.pid = pid
        self.sessionID = sessionID
    }
    public var description: String { sessionID.map { "\(pid)/\($0)" } ?? "\(pid)" }
}

/// How the statement reached the server; an extended-protocol execution carries its statement
/// name (`<unnamed>`, `S_1`, `_pg3_0`) and, for portals, `S_1/C_2`.
public enum ExecutionProtocol: Hashable, Sendable, Codable {
    case simple
    case extended(name: String)
}

/// One execution of one statement by one backend, with its bind parameters resolved.
///
/// Its fields live in shared storage (`CopyOnWrite`): an execution is copied whole on its way from
/// the parser through the merge to its analysis, and each copy of a dozen strings and arrays was
/// a dozen retains and later releases.
///
/// The accessors are `@inlinable` (over `@usableFromInline` storage): the pipeline in
/// TenantWatchCore reads them on every line, and across the module boundary they would be calls.
public struct StatementExecution: Sendable {
    @usableFromInline struct Fields: Sendable {
        @usableFromInline var position: SourcePosition
        @usableFromInline var time: Timestamp?
        @usableFromInline var backend: BackendID
        @usableFromInline var user: String?
        @usableFromInline var database: String?
        @usableFromInline var application: String?
        @usableFromInline var client: String?
        @usableFromInline var sql: String
        @usableFromInline var parameters: [String?]
        @usableFromInline var via: ExecutionProtocol
        @usableFromInline var failed: Bool
        @usableFromInline var applicationNameLooksForged = false
        @usableFromInline var recordLikeContinuationLine: Int? = nil
        @usableFromInline var forgedApplication: String? = nil
        @usableFromInline var textCut = false
        @usableFromInline var severityMarkerInText = false
        @usableFromInline var prefixAmbiguous = false
    }

    @usableFromInline var fields: CopyOnWrite<Fields>

    @inlinable public var position: SourcePosition {
        get { fields.value.position }
        set { fields.value.position = newValue }
    }
    @inlinable public var time: Timestamp? {
        get { fields.value.time }
        set { fields.value.time = newValue }
    }
    @inlinable public var backend: BackendID {
        get { fields.value.backend }
        set { fields.value.backend = newValue }
    }
    @inlinable public var user: String? {
        get { fields.value.user }
        set { fields.value.user = newValue }
    }
    @inlinable public var database: String? {
        get { fields.value.database }
        set { fields.value.database = newValue }
    }
    @inlinable public var application: String? {
        get { fields.value.application }
        set { fields.value.application = newValue }
    }
    @inlinable public var client: String? {
        get { fields.value.client }
        set { fields.value.client = newValue }
    }
    /// The statement text exactly as logged (newlines restored, sqlcommenter comment kept).
    @inlinable public var sql: String {
        get { fields.value.sql }
        set { fields.value.sql = newValue }
    }
    /// `$1`, `$2`, ... in order; `nil` is SQL NULL. Empty when the statement had none.
    @inlinable public var parameters: [String?] {
        get { fields.value.parameters }
        set { fields.value.parameters = newValue }
    }
    @inlinable public var via: ExecutionProtocol {
        get { fields.value.via }
        set { fields.value.via = newValue }
    }
    /// True when the server reported an error for this statement (`ERROR` + `STATEMENT:`).
    @inlinable public var failed: Bool {
        get { fields.value.failed }
        set { fields.value.failed = newValue }
    }
    /// The logged application name holds prefix-like text (a fake ` LOG:  `, timestamp or
    /// `[pid]`): a client tried to forge stderr log lines through `application_name`.
    @inlinable public var applicationNameLooksForged: Bool {
        get { fields.value.applicationNameLooksForged }
        set { fields.value.applicationNameLooksForged = newValue }
    }

    /// The line (stderr) of a continuation of this statement that reads as a log record of its
    /// own: a literal spanning lines forges a log line. The text was kept as this statement's.
    @inlinable public var recordLikeContinuationLine: Int? {
        get { fields.value.recordLikeContinuationLine }
        set { fields.value.recordLikeContinuationLine = newValue }
    }
    /// The prefix-like application name behind `applicationNameLooksForged` when it is not the
    /// one in `application` (the kept reading of a stderr line is not the forger's); nil: that one.
    @inlinable public var forgedApplication: String? {
        get { fields.value.forgedApplication }
        set { fields.value.forgedApplication = newValue }
    }
    /// Only the head of the statement was read (a line over the line cap): it is reported as
    /// `unjudged_statement`, never judged as if the head were the whole.
    @inlinable public var textCut: Bool {
        get { fields.value.textCut }
        set { fields.value.textCut = newValue }
    }
    /// The first line of the logged statement (stderr) holds a ` LOG:  `-like severity marker:
    /// forged log text, in the statement itself or in an application name read into it.
    @inlinable public var severityMarkerInText: Bool {
        get { fields.value.severityMarkerInText }
        set { fields.value.severityMarkerInText = newValue }
    }
    /// The stderr prefix of this statement's line reads in more than one way (a forged
    /// `application_name`) and nothing the log said before settles which is true: the reading
    /// kept is the likelier one, and findings on it say so.
    @inlinable public var prefixAmbiguous: Bool {
        get { fields.value.prefixAmbiguous }
        set { fields.value.prefixAmbiguous = newValue }
    }

    public init(position: SourcePosition, time: Timestamp?, backend: BackendID, user: String? = nil,
                database: String? = nil, application: String? = nil, client: String? = nil,
                sql: String, parameters: [String?] = [], via: ExecutionProtocol = .simple, failed: Bool = false) {
        fields = CopyOnWrite(Fields(position: position, time: time, backend: backend, user: user, database: database,
                                    application: application, client: client, sql: sql, parameters: parameters,
                                    via: via, failed: failed))
    }
}

/// A pgaudit line: `AUDIT: TYPE,STMT_ID,SUB_ID,CLASS,COMMAND,OBJ_TYPE,OBJ_NAME,STATEMENT,PARAMS[,ROWS]`.
public struct PgAuditRecord: Sendable {
    public var position: SourcePosition
    public var time: Timestamp?
    public var backend: BackendID
    public var auditType: String        // SESSION | OBJECT
    public var statementID: Int
    public var substatementID: Int
    public var auditClass: String       // READ, WRITE, ROLE, DDL, FUNCTION, MISC, MISC_SET
    public var command: String          // SELECT, INSERT, ...
    public var objectType: String?
    public var objectName: String?
    public var statement: String
    /// Parameters when `pgaudit.log_parameter` is on; `nil` for `<not logged>`, empty for `<none>`.
    public var parameters: [String?]?
    /// Rows when `pgaudit.log_rows` is on.
    public var rows: Int?

    public init(position: SourcePosition, time: Timestamp?, backend: BackendID, auditType: String,
                statementID: Int, substatementID: Int, auditClass: String, command: String,
                objectType: String?, objectName: String?, statement: String,
                parameters: [String?]?, rows: Int?) {
        self.position = position
        self.time = time
        self.backend = backend
        self.auditType = auditType
        self.statementID = statementID
        self.substatementID = substatementID
        self.auditClass = auditClass
        self.command = command
        self.objectType = objectType
        self.objectName = objectName
        self.statement = statement
        self.parameters = parameters
        self.rows = rows
    }
}

/// A line the parsers could not turn into an event. It is counted, never silently dropped.
public struct UnparsedLine: Sendable {
    public var position: SourcePosition
    public var reason: String
    public init(position: SourcePosition, reason: String) {
        self.position = position
        self.reason = reason
    }
}

extension UnparsedLine {
    /// A line longer than the reader's cap: only its head was read, so it is counted with its
    /// position and never parsed (a cut quote or record would run on into the good lines after it).
    public static func cut(file: String, line: Int, length: Int) -> UnparsedLine {
        UnparsedLine(position: SourcePosition(file: file, line: line), reason: "line longer than \(length) bytes, cut")
    }
}
