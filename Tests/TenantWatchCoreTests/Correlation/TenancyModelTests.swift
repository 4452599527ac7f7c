import Testing
@testable import TenantWatchCore

/// A text that is its own shape (no literal, no comment) is judged from a cache by its exact
/// text the second time; the verdict must still follow each execution's own bind values and
/// session tenant, and texts that are not their own shape must not be served from that cache.
@Suite struct TenancyModelTests {
    let model = TenancyModel(schema: TenancySchema(pgDump: """
        CREATE TABLE public.invoices (id int, tenant_id text, total int);
        """), sessionSetting: "app.current_tenant")

    func run(_ sql: String, _ parameters: [String?] = [], session: String? = nil) -> AnalyzedStatement {
        model.analyze(StatementExecution(position: SourcePosition(file: "f", line: 1), time: nil, backend: BackendID(pid: 1),
                                         sql: sql, parameters: parameters, via: .extended(name: "<unnamed>")),
                      sessionTenant: session)
    }

    @Test func repeatedPlainTextFollowsEachExecutionsParameters() {
        let sql = "SELECT * FROM invoices WHERE tenant_id = $1 OR tenant_id = $2"
        for _ in 0..<3 {
            let one = run(sql, ["acme", "acme"])
            #expect(one.verdict == .scoped)
            #expect(one.accessedTenants == ["acme"])
            let two = run(sql, ["acme", "globex"])
            #expect(two.verdict == .multiTenant)
            #expect(two.accessedTenants == ["acme", "globex"])
            #expect(two.parameters == ["acme", "globex"])
        }
    }

    @Test func repeatedTextWithLiteralsOrTagsIsLexedEachTime() {
        for tenant in ["acme", "globex", "acme"] {
            let a = run("SELECT * FROM invoices WHERE tenant_id = '\(tenant)' /*request_id='r-\(tenant)'*/")
            #expect(a.accessedTenants == [tenant])
            #expect(a.tags.requestID == "r-\(tenant)")
        }
        let plain = run("SELECT * FROM invoices WHERE tenant_id = $1", ["acme"])
        #expect(plain.tags.isEmpty)
        #expect(run("SELECT * FROM invoices WHERE tenant_id = $1", ["globex"]).accessedTenants == ["globex"])
    }

    @Test func onlyTextsWithoutQuoteOrBlockCommentAreLookedUpAsPlain() {
        #expect(TenancyModel.mayBePlain("SELECT * FROM invoices WHERE tenant_id = $1"))
        #expect(TenancyModel.mayBePlain("SELECT total / 2 FROM invoices -- note"))
        #expect(TenancyModel.mayBePlain(""))
        #expect(TenancyModel.mayBePlain("/"))
        #expect(!TenancyModel.mayBePlain("SELECT * FROM invoices WHERE tenant_id = 'acme'"))
        #expect(!TenancyModel.mayBePlain("SELECT 1 /*request_id='r'*/"))
        #expect(!TenancyModel.mayBePlain("SELECT 1/**/"))
        #expect(!TenancyModel.mayBePlain("/*x*/SELECT 1"))
    }

    @Test func quotedTextThatIsItsOwnShapeKeepsItsVerdict() {
        // `DATE '...'` stays in the shape: the text is its own shape but is lexed every time.
        let sql = "SELECT * FROM invoices WHERE tenant_id = $1 AND total > DATE '2020-01-01' - DATE '2019-12-01'"
        for tenant in ["acme", "globex", "acme"] {
            let a = run(sql, [tenant])
            #expect(a.verdict == .scoped)
            #expect(a.accessedTenants == [tenant])
            #expect(a.parameters == [tenant])
            #expect(a.tags.isEmpty)
        }
    }

    @Test func repeatedUnconfinedTextStaysUnscoped() {
        for _ in 0..<2 {
            let a = run("SELECT * FROM invoices WHERE total > $1", ["5"])
            #expect(a.verdict == .unscoped)
            #expect(a.tables.count == 1)
        }
    }
}
