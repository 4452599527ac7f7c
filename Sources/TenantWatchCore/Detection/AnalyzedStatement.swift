import TenantWatchModel
import TenantWatchSQL

/// A statement execution together with everything the stages before detection learned about it:
/// its request tags and the analyzer's judgement, resolved against this execution's bind values.
///
/// Detectors read only this, so each can be tested with a hand-built value.
public struct AnalyzedStatement: Sendable {
    /// In shared storage (`CopyOnWrite`): an analysed statement travels by value through the
    /// correlator (held for its request, emitted, inspected by each detector), and each copy of
    /// its thirty strings and arrays was as many retains and releases.
    private struct Fields: Sendable {
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
        var parameters: [String?] = []
        var request: RequestContext? = nil
        var sessionTenant: String? = nil
        var sessionOrigin: SourcePosition? = nil
        var sessionOriginTime: Timestamp? = nil
    }

    private var fields: CopyOnWrite<Fields>

    public var execution: StatementExecution {
        get { fields.value.execution }
        set { fields.value.execution = newValue }
    }
    public var tags: StatementTags {
        get { fields.value.tags }
        set { fields.value.tags = newValue }
    }
    public var verdict: Verdict {
        get { fields.value.verdict }
        set { fields.value.verdict = newValue }
    }
    /// Tenant-owned tables the statement touches.
    public var tables: [String] {
        get { fields.value.tables }
        set { fields.value.tables = newValue }
    }
    /// Tenant-owned tables (not RLS-protected) it touches without confining them.
    public var unscopedTables: [String] {
        get { fields.value.unscopedTables }
        set { fields.value.unscopedTables = newValue }
    }
    /// The tenant values the statement is confined to, bind parameters substituted.
    public var accessedTenants: [String] {
        get { fields.value.accessedTenants }
        set { fields.value.accessedTenants = newValue }
    }
    public var fingerprint: String? {
        get { fields.value.fingerprint }
        set { fields.value.fingerprint = newValue }
    }
    /// `SELECT`, `UPDATE`, `COPY` ...: what the statement does, for the message and severity.
    public var command: String {
        get { fields.value.command }
        set { fields.value.command = newValue }
    }
    public var reason: String {
        get { fields.value.reason }
        set { fields.value.reason = newValue }
    }
    /// Where `analysis` lives: shared by every execution of the statement's shape.
    var judgement: ShapeJudgement? {
        get { fields.value.judgement }
        set { fields.value.judgement = newValue }
    }
    /// `$1 ...` for this execution: its bind parameters, then the literals lifted from its text
    /// (the analysis is of the statement's shape, whose placeholders these fill).
    public var parameters: [String?] {
        get { fields.value.parameters }
        set { fields.value.parameters = newValue }
    }
    /// The request that issued it, when the correlator could tie them.
    public var request: RequestContext? {
        get { fields.value.request }
        set { fields.value.request = newValue }
    }
    /// The backend's session tenant when the statement ran (what row-level security used).
    public var sessionTenant: String? {
        get { fields.value.sessionTenant }
        set { fields.value.sessionTenant = newValue }
    }

    /// The statement that set `sessionTenant` on this backend (its `SET` line) and its time.
    public var sessionOrigin: SourcePosition? {
        get { fields.value.sessionOrigin }
        set { fields.value.sessionOrigin = newValue }
    }
    public var sessionOriginTime: Timestamp? {
        get { fields.value.sessionOriginTime }
        set { fields.value.sessionOriginTime = newValue }
    }

    /// The analyzer's full result, for the detectors that need more than the summary above.
    public var analysis: StatementAnalysis? {
        get { judgement?.analysis }
        set { judgement = newValue.map(ShapeJudgement.init) }
    }

    public init(execution: StatementExecution, tags: StatementTags = StatementTags(), verdict: Verdict,
                tables: [String] = [], unscopedTables: [String] = [], accessedTenants: [String] = [],
                fingerprint: String? = nil, command: String = "SELECT", reason: String = "", analysis: StatementAnalysis? = nil) {
        fields = CopyOnWrite(Fields(execution: execution, tags: tags, verdict: verdict, tables: tables,
                                    unscopedTables: unscopedTables, accessedTenants: accessedTenants,
                                    fingerprint: fingerprint, command: command, reason: reason,
                                    judgement: analysis.map(ShapeJudgement.init)))
    }

    /// The summary fields from the shape's judgement (shared, not rebuilt per execution).
    init(execution: consuming StatementExecution, tags: StatementTags, verdict: Verdict, judgement: ShapeJudgement,
         accessedTenants: [String], parameters: [String?], sessionTenant: String? = nil) {
        fields = CopyOnWrite(Fields(execution: execution, tags: tags, verdict: verdict, tables: judgement.tables,
                                    unscopedTables: judgement.unscopedTables, accessedTenants: accessedTenants,
                                    fingerprint: judgement.analysis.fingerprint, command: judgement.command,
                                    reason: judgement.analysis.reason, judgement: judgement, parameters: parameters,
                                    sessionTenant: sessionTenant))
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
