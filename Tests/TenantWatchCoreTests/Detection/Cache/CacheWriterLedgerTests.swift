import Testing
@testable import TenantWatchCore

@Suite struct CacheWriterLedgerTests {
    func command(_ name: String, _ key: String, line: Int, seconds: Int64) -> CacheCommand {
        CacheCommand(position: SourcePosition(file: "monitor.txt", line: line), time: Timestamp(microseconds: seconds * 1_000_000),
                     database: 0, client: .tcp(host: "127.0.0.1", port: 5000), command: name,
                     arguments: (name == "SET" ? [key, "v"] : [key]).map { Array($0.utf8) })
    }

    func request(_ tenant: String, _ id: String) -> RequestContext {
        RequestContext(AuditRequest(position: SourcePosition(file: "audit.log", line: 1), time: nil, requestID: id,
                                    caller: CallerIdentity(tenant: tenant, source: .token, verification: .verified)))
    }

    func read(_ ledger: inout CacheWriterLedger, at seconds: Int64, by id: String) -> Int {
        let reader = request("globex", id)
        ledger.observe(command("GET", "project:1", line: 9, seconds: seconds), request: reader, tie: .clientName)
        return ledger.takeReads(for: AuditRequest(position: reader.position, time: nil, requestID: id,
                                                  caller: reader.caller)).count
    }

    @Test func aWriteIsForgottenAfterMaxAgeOfLogTime() {
        var ledger = CacheWriterLedger(maxAgeSeconds: 60)
        ledger.observe(command("SET", "project:1", line: 1, seconds: 0), request: request("acme", "r1"), tie: .clientName)
        #expect(read(&ledger, at: 59, by: "r2") == 1)
        #expect(read(&ledger, at: 61, by: "r3") == 0)
        // Another write, much later, drops the stale key from memory as well.
        ledger.observe(command("SET", "other:1", line: 2, seconds: 200), request: request("acme", "r4"), tie: .clientName)
        #expect(ledger.count == 1)
    }

    @Test func aKeyWrittenAgainIsKeptFromItsLastWrite() {
        var ledger = CacheWriterLedger(maxAgeSeconds: 60)
        ledger.observe(command("SET", "project:1", line: 1, seconds: 0), request: request("acme", "r1"), tie: .clientName)
        ledger.observe(command("SET", "project:1", line: 2, seconds: 50), request: request("acme", "r2"), tie: .clientName)
        ledger.observe(command("SET", "other:1", line: 3, seconds: 100), request: request("acme", "r3"), tie: .clientName)
        #expect(ledger.count == 2)
        #expect(read(&ledger, at: 105, by: "r4") == 1)
        ledger.observe(command("SET", "other:2", line: 4, seconds: 200), request: request("acme", "r5"), tie: .clientName)
        #expect(ledger.count == 1)
    }

    /// A read of `key` by a globex request: how many poisoned reads it produced.
    func read(_ ledger: inout CacheWriterLedger, key: String, at seconds: Int64, by id: String) -> Int {
        let reader = request("globex", id)
        ledger.observe(command("GET", key, line: 900, seconds: seconds), request: reader, tie: .clientName)
        return ledger.takeReads(for: AuditRequest(position: reader.position, time: nil, requestID: id,
                                                  caller: reader.caller)).count
    }

    /// The bound keeps the newest keys, exactly `capacity` of them, and forgets the oldest: a
    /// ledger that kept nothing, or everything, fails.
    @Test func capacityBoundsTheKeys() {
        var ledger = CacheWriterLedger(capacity: 10)
        for i in 0..<50 {
            ledger.observe(command("SET", "k:\(i)", line: i, seconds: Int64(i)), request: request("acme", "r\(i)"), tie: .clientName)
        }
        #expect(ledger.count == 10)
        #expect(read(&ledger, key: "k:49", at: 50, by: "newest") == 1)
        #expect(read(&ledger, key: "k:40", at: 50, by: "tenth-newest") == 1)
        #expect(read(&ledger, key: "k:39", at: 50, by: "eleventh-newest") == 0)
        #expect(read(&ledger, key: "k:0", at: 50, by: "oldest") == 0)
    }
}
