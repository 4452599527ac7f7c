import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct ExportRowDataFilterTests {
    let f = RowDataFilter(pseudonymizer: Pseudonymizer(forTenant: "initech",
                                                       pseudonyms: ["acme": "tenant-1", "globex": "tenant-2"]))

    @Test func linesWithoutOtherTenantsStayButTokensAreMasked() {
        let line = "2026-11-25 00:54:08.518 UTC [19831] app@saas/billing-api LOG:  statement: SELECT * FROM customers WHERE tenant_id = 'initech' AND name = 'Bob'"
        #expect(f.logLine(line) == (line, false))
    }

    @Test func statementLiteralsOfAnotherTenantAreCut() {
        let line = "2026-11-25 00:54:05.1 UTC [1] app@saas/report LOG:  statement: SELECT * FROM orders WHERE tenant_id IN ('initech', 'globex') AND note = 'Zeus budget' /*job='x'*/"
        let (out, cut) = f.logLine(line)
        #expect(cut)
        #expect(out.hasSuffix("statement: SELECT * FROM orders WHERE tenant_id IN ('initech', 'tenant-2') AND note = '[removed]' /*job='x'*/"))
        #expect(out.hasPrefix("2026-11-25 00:54:05.1 UTC [1] app@saas/report LOG:  "))
    }

    @Test func rowCarryingStatementsKeepOnlyTheirHead() {
        let (out, cut) = f.sql("INSERT INTO projects (tenant_id, name, budget) VALUES ('globex', 'Zeus', 990000)")
        #expect(cut && out == "INSERT INTO projects " + RowDataFilter.marker)
        let (u, _) = f.sql("UPDATE orders SET total = 5 WHERE tenant_id = 'acme'")
        #expect(u == "UPDATE orders SET " + RowDataFilter.marker)
        #expect(!u.contains("5"))
    }

    @Test func parametersKeepTenantIdsOnly() {
        let line = "2026-11-25 00:54:03.2 UTC [7] app@saas/api DETAIL:  parameters: $1 = 'globex', $2 = 'Zeus', $3 = NULL"
        let (out, cut) = f.logLine(line)
        #expect(cut && out.hasSuffix("parameters: $1 = 'tenant-2', $2 = '[removed]', $3 = NULL"))
        #expect(f.bindValues(["globex", "Zeus", nil], cut: false) == ["tenant-2", "[removed]", nil])
        #expect(f.bindValues(["initech", "42"], cut: false) == ["initech", "42"])
    }

    @Test func anotherTenantsAuditLineKeepsOnlyTheAllowList() {
        // globex's request (its Host says so) that got initech's rows: only time, route, status
        // and the tenant fields survive, pseudonymised.
        let f = RowDataFilter(pseudonymizer: self.f.pseudonymizer, audit: AuditAllowList(hostPattern: "{tenant}.example.com"))
        let line = #"{"ts":"2026-11-25T00:54:08.514Z","route":"/orders","host":"globex.example.com","client_ip":"203.0.113.9","user":"ceo@globex.com","company":"Globex Corp","salary":250000,"phone":"+1 555 0100","cursor":"dGVuYW50PWdsb2JleA==","headers":{"user-agent":"x","authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"},"status":200,"response":{"tenant_ids":["initech","globex","Bob"],"items":3,"rows":[{"name":"Zeus"}]}}"#
        let (out, cut) = f.logLine(line)
        #expect(cut)
        let o = try! #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(Set(o.keys) == ["ts", "route", "status", "response", "tenantwatch_redaction"], "\(out)")
        #expect((o["response"] as? [String: Any])?["tenant_ids"] as? [String] == ["initech", "tenant-2"])
        for gone in ["203.0.113", "ceo@", "Globex", "250000", "555", "dGVuYW50", "eyJ", "Zeus", "Bob", "globex"] {
            #expect(!out.contains(gone), "\(gone) survived: \(out)")
        }
        // A line that names no tenant at all is judged the same way: whose request it is.
        let anonymous = #"{"ts":"2026-11-25T00:54:09Z","route":"/me","host":"globex.example.com","email":"x@y.z","status":200}"#
        #expect(!f.logLine(anonymous).text.contains("x@y.z"))
        // The customer's own request keeps its data (tokens masked).
        let own = #"{"ts":"2026-11-25T00:54:09Z","route":"/me","host":"initech.example.com","email":"x@initech.com","status":200}"#
        #expect(f.logLine(own) == (own, false))
        // Configured safe fields are kept too.
        let g = RowDataFilter(pseudonymizer: self.f.pseudonymizer,
                              audit: AuditAllowList(hostPattern: "{tenant}.example.com", extraSafeFields: ["duration_ms"]))
        #expect(g.logLine(#"{"ts":"t","host":"acme.example.com","duration_ms":12.5,"email":"e"}"#).text.contains(#""duration_ms":12.5"#))
    }

    @Test func aRewrittenLineKeepsControlCharactersEscaped() {
        // The customer's own line naming another tenant is re-written: a JSON-escaped CSI stays escaped.
        let f = RowDataFilter(pseudonymizer: self.f.pseudonymizer, audit: AuditAllowList(hostPattern: "{tenant}.example.com"))
        let line = #"{"ts":"t","host":"initech.example.com","note":"\u009b31m globex \u001b]52;c;ZXZpbA==\u0007","status":200}"#
        let out = f.logLine(line).text
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }, "\(out)")
        #expect(out.contains(#"\u009b"#))
    }

    @Test func literalsAreFoundByPostgresLexer() {
        // A backslash escape, a dollar quote, a Unicode-escape string and bit strings: each one literal.
        let sql = #"SELECT * FROM staff WHERE tenant_id = 'globex' AND note = E'CEO\'s salary 250000, SSN 078-05-1120' OR x = $q$it's 'quoted' 078-05-1120$q$ OR y = U&'d\0061t' OR b = X'1F' OR n = 42"#
        let (out, cut) = f.sql(sql)
        #expect(cut)
        #expect(out == "SELECT * FROM staff WHERE tenant_id = 'tenant-2' AND note = '[removed]' OR x = '[removed]' OR y = '[removed]' OR b = '[removed]' OR n = [removed]", "\(out)")
        // Text the lexer refuses (an unterminated literal, a statement cut short) goes whole.
        #expect(f.sql("SELECT 'globex' , 'SSN 078-05-1120").text == RowDataFilter.marker)
    }

    @Test func redisValuesAreCut() {
        let other = #"1795568049.702421 [0 127.0.0.1:52552] "SET" "project:1041" "{\"tenant\":\"acme\",\"name\":\"Apollo\"}" "EX" "3600""#
        let (out, cut) = f.logLine(other)
        #expect(cut && out == #"1795568049.702421 [0 127.0.0.1:52552] "SET" "project:1041" "# + RowDataFilter.marker)
        // A value that names no tenant is anyone's: cut too. Metadata commands stay.
        #expect(f.logLine(#"1.5 [0 1.2.3.4:5] "SET" "project:7" "{\"name\":\"x\"}""#).text.hasSuffix(RowDataFilter.marker))
        let name = #"1.5 [0 1.2.3.4:5] "CLIENT" "SETNAME" "request_id=req-0110""#
        #expect(f.logLine(name) == (name, false))
        #expect(f.logLine(#"1.5 [0 1.2.3.4:5] "GET" "globex:project:1""#).text == #"1.5 [0 1.2.3.4:5] "GET" "tenant-2:project:1""#)
        #expect(f.logLine(#"1.5 [0 1.2.3.4:5] "AUTH" "s3cret""#).text == #"1.5 [0 1.2.3.4:5] "AUTH" [masked]"#)
    }

    @Test func unknownLinesNamingAnotherTenantAreReplaced() {
        #expect(f.logLine("some free text about globex customers") == (RowDataFilter.marker, true))
    }
}

@Suite struct ExportMultiLineRecordTests {
    let f = RowDataFilter(pseudonymizer: Pseudonymizer(forTenant: "acme", pseudonyms: ["globex": "tenant-1"]))

    @Test func aMultiLineStatementIsJudgedWhole() {
        let record = ["2026-11-25 00:54:05.890 UTC [1] app@saas/report LOG:  statement: SELECT count(*) FROM orders",
                      " WHERE tenant_id IN ('acme', 'globex')",
                      "   AND status <> 'open' /*tenant='acme'*/;"]
        let (out, cut) = f.record(record)
        #expect(cut == 3)
        #expect(out[0] == record[0])
        #expect(out[1] == " WHERE tenant_id IN ('acme', 'tenant-1')")
        #expect(out[2] == "   AND status <> '[removed]' /*tenant='acme'*/;")
        // A record naming no other tenant is kept as it is.
        #expect(f.record(["x LOG:  statement: SELECT 1", " WHERE tenant_id = 'acme'"]).lines == ["x LOG:  statement: SELECT 1", " WHERE tenant_id = 'acme'"])
    }

    @Test func aLiteralSpanningLinesIsCutWhole() {
        // PostgreSQL tab-indents the continuation of a literal holding a newline.
        let record = ["2026-11-25 00:54:05.890 UTC [1] app@saas/report LOG:  statement: SELECT * FROM notes WHERE tenant_id = 'globex' AND body = 'first line",
                      "\tSSN 078-05-1120, it''s the CEO''s",
                      "\tsalary 250000' AND dollar = $x$a",
                      "\t078-05-1120 $x$;"]
        let (out, cut) = f.record(record)
        #expect(cut == 4 && out.count == 4)
        #expect(out[0] == "2026-11-25 00:54:05.890 UTC [1] app@saas/report LOG:  statement: SELECT * FROM notes WHERE tenant_id = 'tenant-1' AND body = '[removed]'", "\(out)")
        #expect(out[1] == "" && out[2] == " AND dollar = '[removed]'" && out[3] == ";", "\(out)")
        for line in out { #expect(!line.contains("078") && !line.contains("250000") && !line.contains("CEO")) }
    }
}

@Suite struct ExportAuditJudgementTests {
    let f = RowDataFilter(pseudonymizer: Pseudonymizer(forTenant: "initech", pseudonyms: ["globex": "tenant-1"]),
                          audit: AuditAllowList(hostPattern: "{tenant}.example.com"))

    @Test func aCutOrDamagedJSONLineIsLeftOut() {
        // Cut at the quoting limit: no field can be judged, whoever's it is.
        let cut = #"{"ts":"t","host":"initech.example.com","email":"someone@globex.example","body":"abc"#
        #expect(f.logLine(cut) == (RowDataFilter.marker, true))
    }

    @Test func theCallerIsReadFromAnyCaseOfTheHeader() throws {
        let token = try TestJWT.make(header: #"{"alg":"HS256"}"#, claims: #"{"tenant_id":"initech"}"#, signer: nil) + "c2ln"
        let own = #"{"ts":"t","headers":{"Authorization":"Bearer \#(token)"},"email":"me@initech.example","status":200}"#
        #expect(f.logLine(own).text.contains("me@initech.example"))
    }

    @Test func anotherTenantHiddenInBase64IsRemoved() {
        // initech's own request whose cursor encodes globex (base64 and base64url, unpadded).
        for cursor in ["dGVuYW50PWdsb2JleCZhZnRlcj05", "dGVuYW50PWdsb2JleCZhZnRlcj05".replacingOccurrences(of: "=", with: "")] {
            let own = #"{"ts":"t","host":"initech.example.com","route":"/orders","query":{"cursor":"\#(cursor)"},"status":200}"#
            let (out, cut) = f.logLine(own)
            #expect(cut && !out.contains(cursor) && out.contains(EncodedMentions.marker), "\(out)")
        }
        // A run that decodes to nothing of another tenant stays.
        let plain = #"{"ts":"t","host":"initech.example.com","query":{"cursor":"dGVuYW50PWluaXRlY2g="},"status":200}"#
        #expect(f.logLine(plain) == (plain, false))
    }
}
