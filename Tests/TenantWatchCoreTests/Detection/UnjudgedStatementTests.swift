import Testing
@testable import TenantWatchCore

/// `unjudged_statement` end to end through the model: what libpg_query is handed, what the
/// lexer names, and what the detector reports (issue 15).
@Suite struct UnjudgedStatementTests {
    let model = TenancyModel(schema: TenancySchema(tables: ["invoices"]), sessionSetting: "app.current_tenant")
    let detector = UnjudgedStatementDetector()

    func run(_ sql: String, cut: Bool = false, failed: Bool = false) -> (AnalyzedStatement, [Finding]) {
        var e = StatementExecution(position: SourcePosition(file: "pg.log", line: 12), time: nil,
                                   backend: BackendID(pid: 7), sql: sql, failed: failed)
        e.textCut = cut
        let a = model.analyze(e)
        return (a, detector.inspect(a))
    }

    @Test func aPaddedLeakOverTheParserBoundIsReportedNotParsed() throws {
        // Literals and comments are lifted before the parse (padding there is harmless); a
        // column list is not.
        let sql = "SELECT " + String(repeating: "id, ", count: PgQuery.maximumStatementBytes / 4) + "id FROM invoices"
        let (a, f) = run(sql)
        #expect(a.verdict == .unparseable)
        #expect(a.judgement?.analysis.parseError?.tooLarge == true)
        let finding = try #require(f.first)
        #expect(finding.kind == .unjudgedStatement)
        #expect(finding.severity == .medium)
        #expect(finding.evidence == [SourcePosition(file: "pg.log", line: 12)])
        #expect(finding.message.contains("over the \(PgQuery.maximumStatementBytes) bytes"))
        #expect((finding.statement?.utf8.count ?? .max) < 4200)
    }

    @Test func theBoundIsWhereLibpgQueryIsNoLongerCalled() {
        let atBound = "SELECT 1 " + String(repeating: " ", count: PgQuery.maximumStatementBytes - 9)
        #expect(atBound.utf8.count == PgQuery.maximumStatementBytes)
        if case .failure(let f) = PgQuery.parse(atBound) { Issue.record("at the bound: \(f)") }
        guard case .failure(let f) = PgQuery.parse(atBound + " ") else { Issue.record("over the bound parsed"); return }
        #expect(f.tooLarge)
    }

    @Test func anUnparseableStatementOnATenantTableIsReportedWithItsTables() throws {
        let (a, f) = run("SELECT * FROM public.invoices WHERE tenant_id = 'a' AND AND")
        #expect(a.verdict == .unparseable)
        let finding = try #require(f.first)
        #expect(finding.tables == ["invoices"])
        #expect(finding.message.contains("libpg_query cannot parse it"))
    }

    @Test func anUnparseableStatementOnOtherTablesIsNotAFinding() {
        let (a, f) = run("SELECT * FROM plans WHERE AND")
        #expect(a.verdict == .unparseable)
        #expect(f.isEmpty)
    }

    @Test func aFailedStatementRanNothing() {
        #expect(run("SELECT * FROM invoices WHERE AND", failed: true).1.isEmpty)
    }

    /// The head of a cut line may parse (`SELECT * FROM invoices` followed by megabytes of
    /// spaces and then its WHERE): it must be neither judged unscoped nor dropped.
    @Test func aCutStatementIsNeverJudgedOnItsHead() throws {
        let (a, f) = run("SELECT * FROM invoices          ", cut: true)
        #expect(a.verdict == .unparseable)
        #expect(MissingTenantPredicateDetector().inspect(a).isEmpty)
        let finding = try #require(f.first)
        #expect(finding.tables == ["invoices"])
        #expect(finding.message.contains("cut at the line length limit"))
    }

    @Test func theLexerNamesQualifiedQuotedAndKeywordTables() {
        let named = PgQuery.namedTables("SELECT * FROM billing.\"Invoices\" i JOIN names n ON AND", where: { _ in true }) ?? []
        #expect(named.contains(TableName(schema: "billing", name: "Invoices")))
        #expect(named.contains(TableName(name: "names")))
        #expect(PgQuery.namedTables("SELECT 'unterminated", where: { _ in true }) == nil)
    }

    /// libpg_query terminated the process on a 200 MB dump parsed in one piece: the loader now
    /// refuses a dump over its bound and parses statement by statement.
    @Test func theSchemaIsParsedStatementByStatement() {
        var schema = TenancySchema()
        let big = "CREATE TABLE t (x int DEFAULT 1" + String(repeating: "+1", count: PgQuery.maximumStatementBytes) + ");\n"
        schema.load(pgDump: "CREATE TABLE invoices (id int, tenant_id text);\n" + big + "CREATE TABLE plans (id int);\n")
        #expect(schema.isTenantOwned(TableName(name: "invoices")) == true)
        #expect(schema.isTenantOwned(TableName(name: "plans")) == false)
        #expect(schema.skippedStatements.count == 1)
        #expect(schema.skippedStatements.first?.tooLarge == true)
    }
}
