import Testing
@testable import TenantWatchSQL
@testable import TenantWatchCore

@Suite struct StatementShapeTests {
    @Test func liftsValueLiteralsAndDropsComments() {
        let s = StatementShape.of("SELECT * FROM invoices WHERE tenant_id = 'acme' AND id = 42 /*request_id='r1'*/")
        #expect(s.text == "SELECT * FROM invoices WHERE tenant_id = $1 AND id = $2  ")
        #expect(s.literals == ["acme", "42"])
        #expect(s.comments == ["request_id='r1'"])
    }

    @Test func sameShapeForOtherLiteralsAndOtherRequests() {
        let a = StatementShape.of("SELECT * FROM t WHERE tenant_id = 'acme' /*traceparent='00-aaa-01'*/")
        let b = StatementShape.of("SELECT * FROM t WHERE tenant_id = 'globex' /*traceparent='00-bbb-01'*/")
        #expect(a.text == b.text)
    }

    @Test func placeholdersFollowTheStatementsOwnParameters() {
        let s = StatementShape.of("SELECT * FROM t WHERE tenant_id = $2 AND kind IN ('a', 'b') AND x = $1")
        #expect(s.text == "SELECT * FROM t WHERE tenant_id = $2 AND kind IN ($3, $4) AND x = $1")
        #expect(s.firstPlaceholder == 3)
        #expect(s.parameters(binding: ["x", "acme"]) == ["x", "acme", "a", "b"])
        #expect(s.parameters(binding: []) == [nil, nil, "a", "b"])
    }

    @Test func keepsLiteralsWhoseReplacementCouldChangeTheGrammar() {
        for sql in ["SELECT DATE '2020-01-01'", "SELECT E'it\\'s'",
                    "SELECT * FROM t WHERE tenant_id = ANY('{acme}')", "SELECT $$ 'x' $$", "SET app.current_tenant = 'acme'", "SET app.current_tenant TO 'acme'",
                    "SELECT t1.c2 FROM t1", "SELECT \"col 'x'\" FROM t"] {
            #expect(StatementShape.of(sql).literals.isEmpty, "\(sql)")
        }
    }

    @Test func liftsValuesAfterValueKeywordsAndEveryNumber() {
        let s = StatementShape.of("SELECT 'a' FROM t WHERE n LIKE 'x%' AND k BETWEEN 'a' AND 'b' ORDER BY 1 LIMIT 10 OFFSET 20")
        #expect(s.literals == ["a", "x%", "a", "b", "1", "10", "20"])
        let t = StatementShape.of("SELECT CASE WHEN a THEN 'y' ELSE 'n' END, DATE '2020-01-01', interval '1 day' FROM t")
        #expect(t.literals == ["y", "n"])
    }

    @Test func aShapeThatBreaksTheGrammarFallsBackToTheText() {
        let schema = TenancySchema(pgDump: "CREATE TABLE public.invoices (id int, tenant_id text, total numeric);")
        let model = TenancyModel(schema: schema, sessionSetting: "app.current_tenant")
        let sql = "SELECT total::numeric(10,2) FROM invoices WHERE tenant_id = 'acme'"
        #expect(StatementShape.of(sql).text.contains("numeric($"))
        let a = model.analyze(StatementExecution(position: SourcePosition(file: "f", line: 1), time: nil,
                                                 backend: BackendID(pid: 1), sql: sql))
        #expect(a.verdict == .scoped)
        #expect(a.accessedTenants == ["acme"])
    }

    @Test func negativeNumbersAndDoubledQuotes() {
        let s = StatementShape.of("SELECT * FROM t WHERE tenant_id = -5 AND name = 'O''Brien' AND a - 3 > 0")
        #expect(s.literals == ["-5", "O'Brien", "3", "0"])
        #expect(s.text == "SELECT * FROM t WHERE tenant_id = $1 AND name = $2 AND a - $3 > $4")
    }

    @Test func unclosedLiteralsAndCommentsAreLeftAlone() {
        #expect(StatementShape.of("SELECT 'abc").literals.isEmpty)
        #expect(StatementShape.of("SELECT 1 /* open").comments.isEmpty)
    }

    /// The point of shapes: same verdict and same tenants as analysing the text itself.
    @Test(arguments: [
        ("SELECT * FROM invoices WHERE tenant_id = 'acme'", Verdict.scoped, ["acme"]),
        ("SELECT * FROM invoices WHERE tenant_id IN ('acme', 'globex')", .multiTenant, ["acme", "globex"]),
        ("SELECT * FROM invoices WHERE tenant_id = 'acme' OR tenant_id = 'acme'", .scoped, ["acme"]),
        ("SELECT * FROM invoices WHERE tenant_id IN ('acme', 'acme')", .scoped, ["acme"]),
        ("SELECT * FROM invoices i JOIN orders o ON o.id = i.id WHERE i.tenant_id = 'a' AND o.tenant_id = 'b'", .multiTenant, ["a", "b"]),
        ("SELECT * FROM invoices WHERE tenant_id <> 'acme'", .unscoped, []),
        ("SELECT * FROM invoices WHERE total > 100", .unscoped, []),
        ("SELECT * FROM invoices WHERE tenant_id = ANY('{acme}')", .scoped, ["acme"]),
        ("INSERT INTO invoices (tenant_id, total) VALUES ('acme', 10), ('globex', 5)", .multiTenant, ["acme", "globex"]),
    ])
    func shapeGivesTheSameJudgementAsTheText(sql: String, verdict: Verdict, tenants: [String]) {
        let schema = TenancySchema(pgDump: """
            CREATE TABLE public.invoices (id int, tenant_id text, total int);
            CREATE TABLE public.orders (id int, tenant_id text);
            """)
        let model = TenancyModel(schema: schema, sessionSetting: "app.current_tenant")
        let execution = StatementExecution(position: SourcePosition(file: "f", line: 1), time: nil,
                                           backend: BackendID(pid: 1), sql: sql)
        let a = model.analyze(execution)
        #expect(a.verdict == verdict)
        #expect(a.accessedTenants == tenants)
    }
}

@Suite struct StatementShapeSettingTests {
    @Test func keepsTheSettingNameOfSetConfigAndCurrentSetting() {
        let s = StatementShape.of("SELECT set_config('app.current_tenant', 'acme', false)")
        #expect(s.literals == ["acme"])
        #expect(s.text == "SELECT set_config('app.current_tenant', $1, false)")
        let c = StatementShape.of("SELECT * FROM t WHERE tenant_id = current_setting( 'app.current_tenant' )")
        #expect(c.literals.isEmpty)
    }
}
