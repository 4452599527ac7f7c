import Testing
@testable import TenantWatchSQL
import TenantWatchTestSupport

@Suite("SQL parser wrapper, JSON tree and cache")
struct SQLParserAndCacheTests {
    @Test func parseErrorCarriesMessageAndPosition() throws {
        guard case .failure(let f) = PgQuery.parse("SELECT * FROM orders WHERE") else {
            Issue.record("expected a failure"); return
        }
        #expect(f.message.contains("syntax error"))
        #expect(f.cursorPosition == 27)
        let a = TenantPredicateAnalyzer().analyze("SELECT * FROM orders WHERE")
        #expect(a.verdict == .unparseable)
        #expect(a.parseError == f)
        #expect(a.fingerprint == nil)
    }

    @Test func fingerprintIgnoresConstantsAndComments() {
        let a = PgQuery.fingerprint("SELECT * FROM orders WHERE tenant_id = 1")
        let b = PgQuery.fingerprint("SELECT * FROM orders WHERE tenant_id = 2 /*traceparent='x'*/")
        let c = PgQuery.fingerprint("SELECT * FROM customers WHERE tenant_id = 1")
        #expect(a != nil)
        #expect(a == b)
        #expect(a != c)
        #expect(PgQuery.fingerprint("SELEC 1") == nil)
    }

    @Test func multiStatementPartsHaveTheirOwnFingerprints() {
        let a = TenantPredicateAnalyzer(schema: sampleSchema).analyze("SELECT 1; SELECT * FROM orders WHERE tenant_id = 1")
        #expect(a.parts.count == 2)
        #expect(a.parts[1].fingerprint == PgQuery.fingerprint("SELECT * FROM orders WHERE tenant_id = 1"))
        #expect(a.fingerprint == PgQuery.fingerprint("SELECT 1; SELECT * FROM orders WHERE tenant_id = 1"))
    }

    @Test func jsonTreeNavigationAndEscapes() throws {
        let tree = try #require(PgJSONTree.parse(#"{"a": [1, -2, 3.5e1, true, false, null], "s": "x\"y\\z\u00e9\ud83d\ude00\n", "o": {}}"#))
        let root = tree.root
        #expect(root["a"]?.count == 6)
        let values = Array(root["a"]!.children)
        #expect(values[0].int == 1)
        #expect(values[1].int == -2)
        #expect(values[2].numberText == "3.5e1")
        #expect(values[3].bool == true)
        #expect(values[4].bool == false)
        #expect(values[5].kind == .null)
        #expect(root["s"]?.string == "x\"y\\zé😀\n")
        #expect(root["o"]?.count == 0)
        #expect(root["missing"] == nil)
        #expect(root.unwrapped?.keyIs("a") == true)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "[1] x", "\"unterminated", "{\"a\":tru}", "[[[[", "}"])
    func malformedJSONIsRejected(_ text: String) {
        #expect(PgJSONTree.parse(text) == nil)
    }

    @Test func hostileNestingIsCapped() {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        #expect(PgJSONTree.parse(deep) == nil)
        let ok = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        #expect(PgJSONTree.parse(ok) != nil)
    }

    @Test func cacheServesRepeatsAndStaysBounded() {
        let analyzer = TenantPredicateAnalyzer(schema: sampleSchema, cacheCapacity: 10)
        let first = analyzer.analyze("SELECT * FROM orders WHERE tenant_id = 1")
        let again = analyzer.analyze("SELECT * FROM orders WHERE tenant_id = 1")
        #expect(first.verdict == again.verdict && first.fingerprint == again.fingerprint)
        #expect(analyzer.cachedCount == 1)
        for k in 0..<100 { _ = analyzer.analyze("SELECT * FROM orders WHERE tenant_id = \(k)") }
        #expect(analyzer.cachedCount <= 10)
        #expect(analyzer.analyze("SELECT * FROM orders WHERE tenant_id = 99").tenantValues == [.literal("99")])
    }

    @Test func splitToleratesBrokenStatements() {
        let parts = PgQuery.split("CREATE TABLE a (x int,, b); CREATE TABLE c (d int)")
        #expect(parts.count == 2)
        #expect(parts.last?.contains("CREATE TABLE c") == true)
    }
}

@Suite("SQL robustness")
struct SQLRobustnessTests {
    @Test func truncatedStatementsNeverCrash() {
        let analyzer = TenantPredicateAnalyzer(schema: sampleSchema, cacheCapacity: 100)
        for t in allAnalyzerCases where t.sql.utf8.count < 2_000 {
            let chars = Array(t.sql)
            var k = 1
            while k < chars.count {
                let a = analyzer.analyze(String(chars[0..<k]))
                #expect(a.verdict == .unparseable || !a.reason.isEmpty)
                k += 5
            }
        }
    }

    @Test func mutatedJSONNeverCrashes() throws {
        guard case .success = PgQuery.parse("SELECT 1") else { Issue.record("parse failed"); return }
        let json = #"{"version":150001,"stmts":[{"stmt":{"SelectStmt":{"targetList":[{"ResTarget":{"val":{"A_Const":{"sval":{"sval":"a\"b"},"location":7}},"location":7}}],"limitOption":"LIMIT_OPTION_DEFAULT","op":"SETOP_NONE"}}}]}"#
        let bytes = Array(json.utf8)
        var rng = SeededRandom()
        for _ in 0..<2_000 {
            var b = bytes
            for _ in 0..<3 { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...127, using: &rng) }
            if Bool.random(using: &rng) { b.removeLast(Int.random(in: 0..<b.count, using: &rng)) }
            if let tree = PgJSONTree.parse(String(decoding: b, as: UTF8.self)) {
                _ = tree.root["stmts"]?.count
                for n in tree.root.children { _ = n.string; _ = n.int; _ = n.key }
            }
        }
    }
}
