import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct FindingPrinterTests {
    let finding = Finding(kind: .crossTenantQuery, severity: .high, time: Timestamp(microseconds: 1_795_353_409_382_000),
                          message: "spans\u{1b}[31m acme, \"globex\"", incident: "INC-0003", accessedTenants: ["globex"],
                          tables: ["invoices"], statement: "SELECT *\nFROM invoices",
                          evidence: [SourcePosition(file: "postgresql.log", line: 1234), SourcePosition(file: "a.log", line: 5, endLine: 7)])

    @Test func ndjsonIsValidJSONWithTheContractFields() throws {
        let line = FindingPrinter.ndjson([finding])
        #expect(line.hasSuffix("\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in ["kind", "severity", "time", "incident", "trace_id", "request_id", "caller_tenant", "accessed_tenants",
                    "tables", "application", "statement", "fingerprint", "cache_key", "message", "evidence"] {
            #expect(object.keys.contains(key), "missing \(key)")
        }
        #expect(object["kind"] as? String == "cross_tenant_query")
        #expect(object["time"] as? String == "2026-11-22T13:16:49.382Z")
        #expect(object["cache_key"] is NSNull)
        let evidence = try #require(object["evidence"] as? [[String: Any]])
        #expect(evidence[0]["source"] as? String == "postgresql.log")
        #expect(evidence[0]["line"] as? Int == 1234)
        #expect(evidence[1]["end_line"] as? Int == 7)
    }

    /// A large result is rendered in slices side by side; the slices, written in order, are
    /// each finding's JSON on its own line, in the findings' order.
    @Test func manyFindingsPrintInOrderWhenRenderedInSlices() throws {
        var many: [Finding] = []
        for i in 0..<5003 {
            var f = finding
            f.incident = "INC-\(i)"
            f.count = i + 1
            many.append(f)
        }
        let chunks = FindingPrinter.ndjsonChunks(many)
        #expect(chunks.count == min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8))
        let text = String(decoding: chunks.joined(), as: UTF8.self)
        let expected = many.map { FindingPrinter.json($0) + "\n" }.joined()
        #expect(text == expected)
        #expect(FindingPrinter.ndjson(many) == expected)
        #expect(FindingPrinter.ndjsonChunks([finding]).count == 1)
    }

    @Test func controlCharactersNeverReachTheOutputRaw() {
        let json = FindingPrinter.json(finding)
        #expect(!json.contains("\u{1b}"))
        #expect(json.contains("\\u001b"))
        let table = FindingPrinter.table([finding])
        #expect(!table.contains("\u{1b}"))
    }

    @Test func jsonArrayOfSeveral() throws {
        let text = FindingPrinter.jsonArray([finding, finding])
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any])
        #expect(array.count == 2)
        #expect(FindingPrinter.jsonArray([]) == "[]\n")
    }
}
