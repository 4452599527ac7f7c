import Foundation
import Testing
@testable import TenantWatchCore

/// A prefetching cursor splits a PostgreSQL parser in two (records assembled on the reading
/// thread, interpreted on the consuming one); the events must be exactly those of the parser
/// fed line by line on one thread, in the same order.
@Suite struct SourceCursorTests {
    let dir = NSTemporaryDirectory() + "tw-cursor-\(UUID().uuidString)/"

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// What an event says, as text to compare.
    static func describe(_ e: Event) -> String {
        switch e {
        case .statement(let s):
            return "statement \(s.position.line)-\(s.position.endLine) \(s.backend) \(s.user ?? "-") \(s.application ?? "-") "
                + "\(s.sql) \(s.parameters) \(s.via) \(s.failed) \(s.applicationNameLooksForged) \(s.time?.microseconds ?? -1)"
        case .pgAudit(let a):
            return "audit \(a.position.line) \(a.backend) \(a.command) \(a.statement) \(a.rows ?? -1)"
        case .backendEnded(let b, let t, let p):
            return "ended \(b) \(t?.microseconds ?? -1) \(p.line)"
        case .unparsed(let u):
            return "unparsed \(u.position.line) \(u.reason)"
        case .request(let r):
            return "request \(r.position.line)"
        case .cacheCommand(let c):
            return "cache \(c.position.line)"
        case .searchQuery(let q):
            return "search \(q.position.line)"
        }
    }

    func viaCursor(_ path: String, format: PostgresLogParser.Format, prefix: String?) throws -> [String] {
        let parser = PostgresLogParser(format: format, prefix: prefix, timezone: "Europe/Berlin", file: path)
        let cursor = SourceCursor(file: path, source: try ByteSources.open(path: path), parser: parser)
        cursor.startPrefetching()
        var out: [String] = []
        while let e = try cursor.next() { out.append(Self.describe(e)) }
        return out
    }

    func direct(_ bytes: [UInt8], path: String, format: PostgresLogParser.Format, prefix: String?) -> [String] {
        PG.parse(bytes: bytes, format: format, prefix: prefix, timezone: "Europe/Berlin", file: path).0.map(Self.describe)
    }

    @Test(arguments: ["pg15_phase1_stderr.log", "pg15_phase1.csv", "pg15_phase1.json",
                      "pg15_phase2_verbose_pgaudit_logrows_stderr.log", "pg15_phase3_appname_injection_stderr.log",
                      "nocollector_interleaved_excerpt.log"])
    func fixtureReadsTheSameThroughThePrefetchingCursor(name: String) throws {
        let bytes = PG.fixture(name)
        let path = write(name, bytes)
        let expected = direct(bytes, path: path, format: .auto, prefix: nil)
        #expect(!expected.isEmpty)
        #expect(try viaCursor(path, format: .auto, prefix: nil) == expected)
    }

    /// A jsonlog ending on an AUDIT line (pgaudit alone): its execution is held for a possible
    /// `log_statement` twin until the input ends, and the end reaches the interpreting thread
    /// even when no record is left to carry it.
    @Test func auditExecutionHeldAtTheEndIsNotLost() throws {
        let line = #"{"timestamp":"2026-11-22 14:12:07.450 CET","user":"app","dbname":"db","pid":7,"error_severity":"LOG","message":"AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.orders,SELECT * FROM orders,<none>"}"#
        // 1,023 records before it: the AUDIT record fills the reading thread's box (1,024), which
        // leaves, so the end of input finds the box empty.
        let filler = #"{"timestamp":"2026-11-22 14:12:07.000 CET","user":"app","dbname":"db","pid":8,"error_severity":"LOG","message":"statement: SELECT 1"}"#
        let bytes = Array((String(repeating: filler + "\n", count: 1023) + line + "\n").utf8)
        let path = write("audit-last.json", bytes)
        let expected = direct(bytes, path: path, format: .auto, prefix: nil)
        #expect(expected.contains { $0.hasPrefix("statement 1024-1024") && $0.contains("SELECT * FROM orders") })
        #expect(try viaCursor(path, format: .auto, prefix: nil) == expected)
    }

    /// A consumer slower than the reader (correlation behind, as with an audit log beside the
    /// query log): the reading thread interprets the waiting boxes itself. Boxes must still be
    /// interpreted one at a time and in order — a statement's `duration:` and `DETAIL:` lines
    /// often land in the box after it — so the events are exactly the one-thread parse's.
    @Test func slowConsumerLetsTheReaderInterpretWithoutChangingAnything() throws {
        let prefix = "%m [%p] %q%u@%d/%a sess=%c "
        var text = ""
        func head(_ i: Int, _ pid: Int) -> String {
            "2026-11-22 12:\(String(format: "%02d", (i / 1000) % 60)):00.\(String(format: "%03d", i % 1000)) UTC [\(pid)] app@db/api sess=6b02ea26.\(String(pid, radix: 16)) "
        }
        var i = 0
        for unit in 0..<600 {
            // A statement, and 40 records later its `duration: ... statement:` repeat on the same
            // backend, which the interpreter drops as the same execution — only if it has
            // interpreted the record before it. Box boundaries fall inside these spans.
            let pid = 6000 + unit % 97
            text += head(i, pid) + "LOG:  statement: SELECT * FROM t WHERE tenant_id = 'u\(unit)'\n"
            for _ in 0..<40 {
                i += 1
                let other = 4000 + i % 11
                switch i % 5 {
                case 0: text += head(i, other) + "LOG:  execute S_\(i % 3): SELECT * FROM t WHERE id = $1\n" + head(i, other) + "DETAIL:  parameters: $1 = '\(i)'\n"
                case 1: text += head(i, other) + "LOG:  duration: 0.\(i % 10) ms\n"
                case 2: text += "garbage line \(i)\n"
                case 3: text += head(i, other) + "LOG:  statement: SELECT \(i)\n"
                default: text += head(i, other) + "LOG:  disconnection: session time: 0:00:01.000 user=app database=db host=10.0.0.1 port=5000\n"
                }
            }
            text += head(i, pid) + "LOG:  duration: 1.500 ms  statement: SELECT * FROM t WHERE tenant_id = 'u\(unit)'\n"
        }
        let bytes = Array(text.utf8)
        let path = write("slow-consumer.log", bytes)
        let expected = direct(bytes, path: path, format: .stderr, prefix: prefix)
        let parser = PostgresLogParser(format: .stderr, prefix: prefix, timezone: "Europe/Berlin", file: path)
        let cursor = SourceCursor(file: path, source: try ByteSources.open(path: path), parser: parser)
        cursor.startPrefetching()
        var got: [String] = []
        while let e = try cursor.next() {
            if got.isEmpty {
                // Behind from the start: the queue fills and the reading thread, instead of
                // waiting, interprets what waits in it. Waited for, not timed (the minute is
                // only a bound for a broken hand-over).
                let deadline = Date().addingTimeInterval(60)
                while cursor.boxesInterpretedByReader < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
            }
            got.append(Self.describe(e))
        }
        #expect(cursor.boxesInterpretedByReader >= 2)
        #expect(expected.filter { $0.contains("tenant_id = 'u") }.count == 600)
        #expect(got.count == expected.count)
        // The first event that differs, rather than 20,000 of them in the failure message.
        let firstDifference = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil)
    }

    /// Many batches' worth of interleaved backends, with unreadable lines between records: the
    /// unparsed lines must keep their places among the statements across batch boundaries.
    @Test func longInterleavedLogKeepsOrderAcrossBatches() throws {
        let prefix = "%m [%p] %q%u@%d/%a sess=%c "
        var text = ""
        for i in 0..<6000 {
            let pid = 4000 + i % 7
            let ms = String(format: "%03d", i % 1000)
            let head = "2026-11-22 12:\(String(format: "%02d", (i / 1000) % 60)):00.\(ms) UTC [\(pid)] app@db/api sess=6b02ea26.\(String(pid, radix: 16)) "
            switch i % 5 {
            case 0: text += head + "LOG:  statement: SELECT * FROM t WHERE tenant_id = 'x\(i)'\n"
            case 1: text += head + "LOG:  execute <unnamed>: SELECT * FROM t WHERE id = $1\n" + head + "DETAIL:  parameters: $1 = '\(i)'\n"
            case 2: text += "garbage line \(i) that no prefix reads\n"
            case 3: text += head + "LOG:  statement: SELECT 1\n\tFROM t\n"
            default: text += head + "LOG:  duration: 0.1\(i % 10) ms\n"
            }
        }
        let bytes = Array(text.utf8)
        let path = write("long.log", bytes)
        let expected = direct(bytes, path: path, format: .stderr, prefix: prefix)
        #expect(expected.filter { $0.hasPrefix("unparsed") }.count == 1200)
        #expect(expected.filter { $0.hasPrefix("statement") }.count > 3000)
        #expect(try viaCursor(path, format: .stderr, prefix: prefix) == expected)
    }
}
