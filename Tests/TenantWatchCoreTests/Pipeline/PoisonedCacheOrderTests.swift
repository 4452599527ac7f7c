import Foundation
import Testing
@testable import TenantWatchCore

extension PoisonedCacheTests {
    /// Under concurrency the writer's request may answer after the reader's: acme's request
    /// fills `project:1041` and goes on working; globex's request reads it and answers first.
    /// Commands reach the ledger with their request's audit line, so the write arrives after the
    /// read it preceded — the chain must still be found, once.
    @Test func writerAnsweringAfterTheReaderStillMakesTheChain() throws {
        let monitor = write("monitor-late-writer.txt", """
            1795348800.100000 [0 127.0.0.1:5001] "CLIENT" "SETNAME" "request_id=req-a"
            1795348800.110000 [0 127.0.0.1:5001] "SET" "project:1041" "{\\"tenant\\":\\"acme\\"}"
            1795348800.300000 [0 127.0.0.1:5002] "CLIENT" "SETNAME" "request_id=req-b"
            1795348800.310000 [0 127.0.0.1:5002] "GET" "project:1041"
            """)
        let auditLog = write("audit-late-writer.log", [
            audit("req-b", "globex", at: "2026-11-22T12:00:00.400Z", response: ["globex"]),
            audit("req-a", "acme", at: "2026-11-22T12:00:02.000Z", response: ["acme"]),
        ].joined(separator: "\n"))
        let findings = try scan([SourceSpec(kind: .redis, path: monitor), SourceSpec(kind: .audit, path: auditLog)])
        let responses = findings.filter { $0.kind == .crossTenantResponse }
        #expect(responses.count == 1)
        let response = try #require(responses.first)
        #expect(response.requestID == "req-b" && response.accessedTenants == ["acme"] && response.severity == .critical)
        #expect(response.count == 1)
        #expect(response.cacheKey == "project:1041")
    }

    /// The other side of the same race: globex's own request overwrote the key (its audit line
    /// comes last) before globex's reader read it. The read returned globex's own write, not
    /// acme's older one: no finding, though acme's write is the only one known at the read.
    @Test func aReadIsNotBlamedOnAnOlderWriteWhileANewerWriteIsUnresolved() throws {
        let monitor = write("monitor-overwrite.txt", """
            1795348800.100000 [0 127.0.0.1:5001] "CLIENT" "SETNAME" "request_id=req-a"
            1795348800.110000 [0 127.0.0.1:5001] "SET" "project:1041" "{\\"tenant\\":\\"acme\\"}"
            1795348800.200000 [0 127.0.0.1:5003] "CLIENT" "SETNAME" "request_id=req-g"
            1795348800.210000 [0 127.0.0.1:5003] "SET" "project:1041" "{\\"tenant\\":\\"globex\\"}"
            1795348800.300000 [0 127.0.0.1:5002] "CLIENT" "SETNAME" "request_id=req-b"
            1795348800.310000 [0 127.0.0.1:5002] "GET" "project:1041"
            """)
        let auditLog = write("audit-overwrite.log", [
            audit("req-a", "acme", at: "2026-11-22T12:00:00.150Z", response: ["acme"]),
            audit("req-b", "globex", at: "2026-11-22T12:00:00.400Z", response: ["globex"]),
            audit("req-g", "globex", at: "2026-11-22T12:00:02.000Z", response: ["globex"]),
        ].joined(separator: "\n"))
        let findings = try scan([SourceSpec(kind: .redis, path: monitor), SourceSpec(kind: .audit, path: auditLog)])
        #expect(!findings.contains { $0.kind == .crossTenantResponse }, "\(findings.map(\.message))")
    }
}
