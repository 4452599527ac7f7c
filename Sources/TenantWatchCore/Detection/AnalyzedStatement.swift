/// A statement execution together with everything the stages before detection learned about it:
/// its request tags and the analyzer's judgement, resolved against this execution's bind values.
///
/// Detectors read only this, so each can be tested with a hand-built value.
public struct AnalyzedStatement: Sendable {
    public var execution: StatementExecution
    public var tags: StatementTags
    public var verdict: Verdict
    /// Tenant-owned tables the statement touches.
    public var tables: [String]
    /// Tenant-owned tables (not RLS-protected) it touches without confining them.
    public var unscopedTables: [String]
    /// The tenant values the statement is confined to, bind parameters substituted.
    public var accessedTenants: [String]
    public var fingerprint: String?
    /// `SELECT`, `UPDATE`, `COPY` ...: what the statement does, for the message and severity.
    public var command: String
    public var reason: String
    /// The analyzer's full result, for the detectors that need more than the summary above.
    public var analysis: StatementAnalysis? {
        get { judgement?.analysis }
        set { judgement = newValue.map(ShapeJudgement.init) }
    }
    /// Where `analysis` lives: shared by every execution of the statement's shape.
    var judgement: ShapeJudgement?
    /// `$1 ...` for this execution: its bind parameters, then the literals lifted from its text
    /// (the analysis is of the statement's shape, whose placeholders these fill).
    public var parameters: [String?] = []
    /// The request that issued it, when the correlator could tie them.
    public var request: RequestContext?
    /// The backend's session tenant when the statement ran (what row-level security used).
    public var sessionTenant: String?

    public init(execution: StatementExecution, tags: StatementTags = StatementTags(), verdict: Verdict,
                tables: [String] = [], unscopedTables: [String] = [], accessedTenants: [String] = [],
                fingerprint: String? = nil, command: String = "SELECT", reason: String = "", analysis: StatementAnalysis? = nil) {
        self.execution = execution
        self.tags = tags
        self.verdict = verdict
        self.tables = tables
        self.unscopedTables = unscopedTables
        self.accessedTenants = accessedTenants
        self.fingerprint = fingerprint
        self.command = command
        self.reason = reason
        self.judgement = analysis.map(ShapeJudgement.init)
    }

    /// The summary fields from the shape's judgement (shared, not rebuilt per execution).
    init(execution: StatementExecution, tags: StatementTags, verdict: Verdict, judgement: ShapeJudgement,
         accessedTenants: [String], parameters: [String?]) {
        self.execution = execution
        self.tags = tags
        self.verdict = verdict
        self.tables = judgement.tables
        self.unscopedTables = judgement.unscopedTables
        self.accessedTenants = accessedTenants
        self.fingerprint = judgement.analysis.fingerprint
        self.command = judgement.command
        self.reason = judgement.analysis.reason
        self.judgement = judgement
        self.parameters = parameters
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
