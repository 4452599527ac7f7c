import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct UnscopedCacheKeyDetectorTests {
    let tenants: Set<String> = ["acme", "globex"]

    func command(_ name: String, _ args: [String], line: Int, micros: Int64 = 0, clientName: String? = nil) -> CacheCommand {
        CacheCommand(position: SourcePosition(file: "monitor.txt", line: line), time: Timestamp(microseconds: 1_000_000 + micros),
                     database: 0, client: .tcp(host: "127.0.0.1", port: 5000), command: name,
                     arguments: args.map { Array($0.utf8) }, clientName: clientName)
    }

    @Test func oncePerPatternWithCountsExamplesAndEvidence() throws {
        var d = UnscopedCacheKeyDetector(allowed: [])
        let first = d.inspect(command("SET", ["project:1041", "{}"], line: 3, micros: 10, clientName: "acme-api"), knownTenants: tenants)
        #expect(first.count == 1)
        let f = try #require(first.first)
        #expect(f.kind == .unscopedCacheKey && f.severity == .medium)
        #expect(f.cacheKey == "project:1041")
        #expect(f.fingerprint == "project:{id}")
        #expect(f.application == "acme-api")
        #expect(f.message.contains("project:{id}") && f.message.contains("project:1041"))
        #expect(f.evidence == [SourcePosition(file: "monitor.txt", line: 3)])

        var later: [Finding] = []
        later += d.inspect(command("GET", ["project:1041"], line: 9, micros: 90), knownTenants: tenants)
        later += d.inspect(command("MGET", ["project:7", "project:8", "project:9", "project:10", "project:11"], line: 12, micros: 120),
                           knownTenants: tenants)
        #expect(later.isEmpty)
        let all = d.findings
        #expect(all.count == 1)
        let now = try #require(all.first)
        #expect(now.count == 7)
        #expect(now.time == Timestamp(microseconds: 1_000_010))
        #expect(now.lastSeen == Timestamp(microseconds: 1_000_120))
        #expect(now.cacheKey == "project:1041")
        #expect(now.evidence.map(\.line) == [3, 9, 12])
        // Up to five distinct example keys.
        #expect(now.message.contains("project:1041, project:7, project:8, project:9, project:10)"))
        #expect(!now.message.contains("project:11"))
        #expect(d.patterns == ["project:{id}"])
    }

    @Test func controlsAreNotFlagged() {
        var d = UnscopedCacheKeyDetector(allowed: ["plans:*", "feature-flags", "*:public"])
        var out: [Finding] = []
        for (k, key) in ["acme:project:1041", "tenant:globex:invoice:7", "plans:pro", "plans:enterprise:eu",
                         "feature-flags", "docs:7:public", "t=acme|session|5f2b", "globex_reports:2026"].enumerated() {
            out += d.inspect(command("SET", [key, "v"], line: k + 1), knownTenants: tenants)
            out += d.inspect(command("GET", [key], line: k + 100), knownTenants: tenants)
        }
        #expect(out.isEmpty)
        #expect(d.findings.isEmpty)
    }

    @Test func allowedGlobsMatchThePatternToo() {
        var d = UnscopedCacheKeyDetector(allowed: ["country:{id}"])
        #expect(d.inspect(command("GET", ["country:49"], line: 1), knownTenants: []).isEmpty)
        #expect(d.isAllowed(key: Array("country:49".utf8), pattern: "country:{id}"))
        #expect(!d.isAllowed(key: Array("city:49".utf8), pattern: "city:{id}"))
    }

    @Test func onlyDataAccessCounts() {
        var d = UnscopedCacheKeyDetector(allowed: [])
        var out: [Finding] = []
        out += d.inspect(command("DEL", ["project:1"], line: 1), knownTenants: tenants)
        out += d.inspect(command("EXPIRE", ["project:1", "60"], line: 2), knownTenants: tenants)
        out += d.inspect(command("EXISTS", ["project:1"], line: 3), knownTenants: tenants)
        out += d.inspect(command("KEYS", ["project:*"], line: 4), knownTenants: tenants)
        out += d.inspect(command("SCAN", ["0", "MATCH", "project:*"], line: 5), knownTenants: tenants)
        out += d.inspect(command("PUBLISH", ["project:1", "x"], line: 6), knownTenants: tenants)
        out += d.inspect(command("EVAL", ["return 1", "1", "project:1"], line: 7), knownTenants: tenants)
        out += d.inspect(command("CLIENT", ["SETNAME", "project:1"], line: 8), knownTenants: tenants)
        out += d.inspect(command("PING", [], line: 9), knownTenants: tenants)
        #expect(out.isEmpty)
        #expect(d.inspect(command("HSET", ["project:1", "f", "v"], line: 10), knownTenants: tenants).count == 1)
        #expect(d.inspect(command("HGETALL", ["user:9"], line: 11), knownTenants: tenants).count == 1)
        #expect(d.findings.map(\.fingerprint) == ["project:{id}", "user:{id}"])
    }

    @Test func tenantsLearnedLaterDropAFinding() {
        var d = UnscopedCacheKeyDetector(allowed: [])
        #expect(d.inspect(command("SET", ["initech:project:1", "v"], line: 1), knownTenants: tenants).count == 1)
        #expect(d.inspect(command("SET", ["project:1", "v"], line: 2), knownTenants: tenants).count == 1)
        #expect(d.findings.count == 2)
        #expect(d.findings(knownTenants: tenants.union(["initech"])).map(\.cacheKey) == ["project:1"])
    }

    @Test func patternLimitBoundsState() {
        var d = UnscopedCacheKeyDetector(allowed: [])
        d.patternLimit = 2
        for (k, key) in ["a:1", "b:1", "c:1", "a:2"].enumerated() {
            _ = d.inspect(command("GET", [key], line: k + 1), knownTenants: [])
        }
        #expect(d.findings.map(\.fingerprint) == ["a:{id}", "b:{id}"])
        #expect(d.findings.first?.count == 2)
        #expect(d.droppedPatterns == 1)
    }

    /// The real capture of `Tests/EndToEnd/redis_capture.sh`: parser and detector together find
    /// the seed story and nothing else.
    @Test func seedStoryCapture() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/redis_seed_story.txt", withExtension: nil))
        let data = try Data(contentsOf: url)
        var parser = RedisMonitorParser(file: "redis_seed_story.txt")
        var events: [Event] = []
        for (k, line) in [UInt8](data).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            Array(line).withUnsafeBufferPointer { parser.feed(line: $0, lineNumber: k + 1, into: &events) }
        }
        parser.finish(into: &events)
        #expect(parser.unparsedLines == 0)
        #expect(parser.commands >= 20)

        var detector = UnscopedCacheKeyDetector(allowed: ["plans:*"])
        var returned: [Finding] = []
        for case .cacheCommand(let c) in events {
            returned += detector.inspect(c, knownTenants: tenants)
        }
        #expect(returned.map(\.cacheKey) == ["project:1041"])
        let findings = detector.findings(knownTenants: tenants)
        #expect(findings.count == 1)
        let f = try #require(findings.first)
        #expect(f.fingerprint == "project:{id}")
        #expect(f.cacheKey == "project:1041")
        #expect(f.application == "acme-api")
        #expect(f.count == 2)   // acme's SET and globex's GET; EXPIRE is metadata
        #expect(f.evidence.count == 2)
        #expect(f.time! < f.lastSeen!)

        // The binary key came through byte-exact and scoped.
        let binary = events.compactMap { e -> CacheCommand? in
            if case .cacheCommand(let c) = e, c.command == "SET", c.displayKeys.first?.hasPrefix("acme:avatar:") == true { return c }
            return nil
        }
        #expect(binary.first?.keys == [Array("acme:avatar:".utf8) + [0xFF, 0xD8, 0xFF, 0xE0] + Array(" \"raw\"".utf8)])
        #expect(binary.first?.arguments[1] == [0x89] + Array("PNG".utf8) + [0x0D, 0x0A, 0x1A, 0x0A])
        // Without the allowed list, plans:pro is a second pattern.
        var strict = UnscopedCacheKeyDetector(allowed: [])
        for case .cacheCommand(let c) in events { _ = strict.inspect(c, knownTenants: tenants) }
        #expect(strict.findings.map(\.cacheKey) == ["plans:pro", "project:1041"])
    }

    @Test func theReferenceCaptureWithoutKnownTenants() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/redis7_monitor.txt", withExtension: nil))
        var parser = RedisMonitorParser(file: "redis7_monitor.txt")
        var events: [Event] = []
        for (k, line) in [UInt8](try Data(contentsOf: url)).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            Array(line).withUnsafeBufferPointer { parser.feed(line: $0, lineNumber: k + 1, into: &events) }
        }
        var detector = UnscopedCacheKeyDetector(allowed: [])
        for case .cacheCommand(let c) in events { _ = detector.inspect(c, knownTenants: []) }
        // `tenant:N:...` is scoped by its marker; only the key in db 5 names no tenant.
        #expect(detector.findings.map(\.cacheKey) == ["k with space"])
    }
}
