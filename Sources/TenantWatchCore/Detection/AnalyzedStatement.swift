/// A statement execution together with everything the stages before detection learned about it:
/// its request tags and the analyzer's judgement, resolved against this execution's bind values.
///
/// Detectors read only this, so each can be tested with a hand-built value.
public struct AnalyzedStatement: @unchecked Sendable {
    /// Copy-on-write storage: an analysed statement travels by value through the correlator
    /// (held for its request, emitted, inspected by each detector), and each copy of its thirty
    /// strings and arrays was as many retains and releases. Now a copy is one retain, and a
    /// change to a shared copy copies the storage first.
    private final class Storage {
        var execution: StatementExecution
        var tags: StatementTags
        var verdict: Verdict
        var tables: [String]
        var unscopedTables: [String]
        var accessedTenants: [String]
        var fingerprint: String?
        var command: String
        var reason: String
        var judgement: ShapeJudgement?
        var parameters: [String?]
        var request: RequestContext?
        var sessionTenant: String?

        init(execution: StatementExecution, tags: StatementTags, verdict: Verdict, tables: [String], unscopedTables: [String], accessedTenants: [String], fingerprint: String?, command: String, reason: String, judgement: ShapeJudgement?, parameters: [String?], request: RequestContext?, sessionTenant: String?) {
            self.execution = execution
            self.tags = tags
            self.verdict = verdict
            self.tables = tables
            self.unscopedTables = unscopedTables
            self.accessedTenants = accessedTenants
            self.fingerprint = fingerprint
            self.command = command
            self.reason = reason
            self.judgement = judgement
            self.parameters = parameters
            self.request = request
            self.sessionTenant = sessionTenant
        }

        func copy() -> Storage { Storage(execution: execution, tags: tags, verdict: verdict, tables: tables, unscopedTables: unscopedTables, accessedTenants: accessedTenants, fingerprint: fingerprint, command: command, reason: reason, judgement: judgement, parameters: parameters, request: request, sessionTenant: sessionTenant) }
    }

    private var storage: Storage

    /// The storage, copied first when another value shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var execution: StatementExecution {
        get { storage.execution }
        set { unique.execution = newValue }
    }
    public var tags: StatementTags {
        get { storage.tags }
        set { unique.tags = newValue }
    }
    public var verdict: Verdict {
        get { storage.verdict }
        set { unique.verdict = newValue }
    }
    /// Tenant-owned tables the statement touches.
    public var tables: [String] {
        get { storage.tables }
        set { unique.tables = newValue }
    }
    /// Tenant-owned tables (not RLS-protected) it touches without confining them.
    public var unscopedTables: [String] {
        get { storage.unscopedTables }
        set { unique.unscopedTables = newValue }
    }
    /// The tenant values the statement is confined to, bind parameters substituted.
    public var accessedTenants: [String] {
        get { storage.accessedTenants }
        set { unique.accessedTenants = newValue }
    }
    public var fingerprint: String? {
        get { storage.fingerprint }
        set { unique.fingerprint = newValue }
    }
    /// `SELECT`, `UPDATE`, `COPY` ...: what the statement does, for the message and severity.
    public var command: String {
        get { storage.command }
        set { unique.command = newValue }
    }
    public var reason: String {
        get { storage.reason }
        set { unique.reason = newValue }
    }
    /// Where `analysis` lives: shared by every execution of the statement's shape.
    var judgement: ShapeJudgement? {
        get { storage.judgement }
        set { unique.judgement = newValue }
    }
    /// `$1 ...` for this execution: its bind parameters, then the literals lifted from its text
    /// (the analysis is of the statement's shape, whose placeholders these fill).
    public var parameters: [String?] {
        get { storage.parameters }
        set { unique.parameters = newValue }
    }
    /// The request that issued it, when the correlator could tie them.
    public var request: RequestContext? {
        get { storage.request }
        set { unique.request = newValue }
    }
    /// The backend's session tenant when the statement ran (what row-level security used).
    public var sessionTenant: String? {
        get { storage.sessionTenant }
        set { unique.sessionTenant = newValue }
    }

    /// The analyzer's full result, for the detectors that need more than the summary above.
    public var analysis: StatementAnalysis? {
        get { judgement?.analysis }
        set { judgement = newValue.map(ShapeJudgement.init) }
    }

    public init(execution: StatementExecution, tags: StatementTags = StatementTags(), verdict: Verdict,
                tables: [String] = [], unscopedTables: [String] = [], accessedTenants: [String] = [],
                fingerprint: String? = nil, command: String = "SELECT", reason: String = "", analysis: StatementAnalysis? = nil) {
        storage = Storage(execution: execution, tags: tags, verdict: verdict, tables: tables, unscopedTables: unscopedTables,
                          accessedTenants: accessedTenants, fingerprint: fingerprint, command: command, reason: reason,
                          judgement: analysis.map(ShapeJudgement.init), parameters: [], request: nil, sessionTenant: nil)
    }

    /// The summary fields from the shape's judgement (shared, not rebuilt per execution).
    init(execution: consuming StatementExecution, tags: StatementTags, verdict: Verdict, judgement: ShapeJudgement,
         accessedTenants: [String], parameters: [String?], sessionTenant: String? = nil) {
        storage = Storage(execution: execution, tags: tags, verdict: verdict, tables: judgement.tables,
                          unscopedTables: judgement.unscopedTables, accessedTenants: accessedTenants,
                          fingerprint: judgement.analysis.fingerprint, command: judgement.command,
                          reason: judgement.analysis.reason, judgement: judgement, parameters: parameters,
                          request: nil, sessionTenant: sessionTenant)
    }

    /// The application that issued it: the sqlcommenter tag wins over `application_name`,
    /// which any client can set to anything.
    public var application: String? {
        tags.application ?? execution.application.flatMap { $0.isEmpty || $0 == "[unknown]" ? nil : $0 }
    }

    /// The caller's tenant, when the statement's request is known and its token trusted.
    public var callerTenant: String? { request?.callerTenant }

    /// The statement text without the sqlcommenter comment noise, on one line.
    public var displayStatement: String { execution.sql }
}
