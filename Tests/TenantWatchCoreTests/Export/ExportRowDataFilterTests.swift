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

    @Test func auditLinesKeepMetadataOnly() {
        let line = #"{"ts":"2026-11-25T00:54:08.514Z","host":"globex.example.com","headers":{"user-agent":"x","authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"},"status":200,"response":{"tenant_ids":["initech","globex"],"items":3,"rows":[{"name":"Zeus"}]}}"#
        let (out, cut) = f.logLine(line)
        #expect(cut)
        #expect(!out.contains("Zeus") && !out.contains("globex") && !out.contains("eyJ") && !out.contains("user-agent"))
        #expect(out.contains(#""tenant_ids":["initech","tenant-2"]"#) && out.contains(#""items":3"#))
        #expect(out.contains("tenant-2.example.com") && out.contains(RowDataFilter.marker))
        #expect((try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil)
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
}
