import Foundation
import Testing
@testable import TenantWatchCore

/// Hostile lines in a PostgreSQL log: each counted where it is, the good records around it read
/// as before (issue 8). The end-to-end run of every case is `Tests/EndToEnd/hostile_input.sh`.
@Suite struct PostgresHostileInputTests {
    static let csvHead = "2026-11-25 00:54:05.100 UTC,\"app\",\"db\",PID,\"[local]\",6b06.2a,1,\"idle\",2026-11-25 00:54:05 UTC,3/7,0,LOG,00000,"

    static func csv(_ sql: String, pid: Int) -> String {
        csvHead.replacingOccurrences(of: "PID", with: String(pid))
            + "\"statement: " + sql.replacingOccurrences(of: "\"", with: "\"\"") + "\",,,,,,,,,\"psql\",\"client backend\",,0"
    }

    static func pids(_ events: [Event]) -> [Int] { PG.statements(events).map(\.backend.pid) }

    @Test func csvRecordNeverClosedDoesNotSwallowTheRecordsAfterIt() {
        let lines = [
            Self.csv("SELECT 1", pid: 1),
            Self.csvHead.replacingOccurrences(of: "PID", with: "9") + "\"statement: SELECT 'cut",  // 2: never closed
            "  FROM t WHERE x = 1",                                                             // 3: still in it
            Self.csv("SELECT 2", pid: 2),
            Self.csv("SELECT\n  3 \"quoted\"", pid: 3),                                          // 5-6
            Self.csv("SELECT 4", pid: 4),
        ]
        let (events, _) = PG.parse(text: lines.joined(separator: "\n"), format: .csvlog)
        #expect(Self.pids(events) == [1, 2, 3, 4])
        #expect(PG.statements(events).map(\.sql)[2] == "SELECT\n  3 \"quoted\"")
        #expect(PG.statements(events)[2].position == SourcePosition(file: "test.log", line: 5, endLine: 6))
        #expect(PG.unparsed(events).map(\.position) == [SourcePosition(file: "test.log", line: 2, endLine: 3)])
    }

    @Test func csvRecordOpenAtTheEndOfInputKeepsTheRecordsItSwallowed() {
        let lines = [
            Self.csv("SELECT 1", pid: 1),
            "X\u{1}\"random \"bytes\" with an odd number of quotes\"",   // 2
            Self.csv("SELECT 2", pid: 2),
            Self.csv("SELECT 3", pid: 3),
        ]
        let (events, _) = PG.parse(text: lines.joined(separator: "\n"), format: .csvlog)
        #expect(Self.pids(events) == [1, 2, 3])
        #expect(PG.unparsed(events).map(\.position) == [SourcePosition(file: "test.log", line: 2, endLine: 2)])
    }

    /// Live tailing: a quiet second with a record still open recovers the records it swallowed
    /// without waiting for the end of the file.
    @Test func csvOpenRecordIsRecoveredWhenTheFileGoesQuiet() {
        var p = PostgresLogParser(format: .csvlog, file: "t.csv")
        var events: [Event] = []
        p.feed(line: Self.csvHead.replacingOccurrences(of: "PID", with: "9") + "\"statement: SELECT 'x", lineNumber: 1, into: &events)
        p.feed(line: Self.csv("SELECT 1", pid: 1), lineNumber: 2, into: &events)
        #expect(Self.pids(events).isEmpty)
        p.flushIdle(into: &events)
        #expect(Self.pids(events) == [1])
        #expect(PG.unparsed(events).map(\.position) == [SourcePosition(file: "t.csv", line: 1, endLine: 1)])
        p.feed(line: Self.csv("SELECT 2", pid: 2), lineNumber: 3, into: &events)
        #expect(Self.pids(events) == [1, 2])
    }

    /// A record whose quotes close but that is no record (two glued together) is split again.
    @Test func csvGluedRecordsAreSplitAgain() {
        let lines = [
            Self.csvHead.replacingOccurrences(of: "PID", with: "9") + "\"statement: SELECT 'cut",  // 1
            Self.csv("SELECT 1", pid: 1),
            Self.csv("SELECT\n1", pid: 2),                                                       // 3-4: closes line 1
            Self.csv("SELECT 3", pid: 3),
        ]
        let (events, _) = PG.parse(text: lines.joined(separator: "\n"), format: .csvlog)
        #expect(Self.pids(events) == [1, 2, 3])
        #expect(PG.unparsed(events).map(\.position) == [SourcePosition(file: "test.log", line: 1, endLine: 1)])
    }

    /// Forged records inside a legitimate multi-line field are field text: the record parses, so
    /// nothing is split (PostgreSQL doubles a client's quotes; it cannot close the field).
    @Test func csvForgedRecordInsideAFieldStaysText() {
        let forged = "x\n" + Self.csv("SELECT * FROM customers", pid: 666)
        let lines = [Self.csv(forged, pid: 1), Self.csv("SELECT 2", pid: 2)]
        let (events, _) = PG.parse(text: lines.joined(separator: "\n"), format: .csvlog)
        #expect(Self.pids(events) == [1, 2])
        #expect(PG.unparsed(events).isEmpty)
    }

    @Test func cutLineAbandonsTheOpenCSVRecord() {
        var p = PostgresLogParser(format: .csvlog, file: "t.csv")
        var events: [Event] = []
        p.feed(line: Self.csv("SELECT 1", pid: 1), lineNumber: 1, into: &events)
        p.feed(line: Self.csvHead.replacingOccurrences(of: "PID", with: "9") + "\"statement: SELECT", lineNumber: 2, into: &events)
        p.lineCut(lineNumber: 3, into: &events)
        p.feed(line: Self.csv("SELECT 2", pid: 2), lineNumber: 4, into: &events)
        p.finish(into: &events)
        #expect(Self.pids(events) == [1, 2])
        #expect(PG.unparsed(events).map(\.position) == [SourcePosition(file: "t.csv", line: 2, endLine: 2)])
        #expect(p.statistics.lines == 4)
    }

    /// After a cut line, a continuation line has no record to join: counted, not glued onto the
    /// statement of the backend that wrote before the cut.
    @Test func cutLineCompletesStderrRecords() {
        var p = PostgresLogParser(format: .stderr, prefix: "%m [%p] ", file: "t.log")
        var events: [Event] = []
        p.feed(line: "2026-11-25 00:54:05.100 UTC [1] LOG:  statement: SELECT 1", lineNumber: 1, into: &events)
        p.lineCut(lineNumber: 2, into: &events)
        p.feed(line: "\tFROM invoices", lineNumber: 3, into: &events)
        p.feed(line: "2026-11-25 00:54:05.200 UTC [2] LOG:  statement: SELECT 2", lineNumber: 4, into: &events)
        p.finish(into: &events)
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1", "SELECT 2"])
        #expect(PG.unparsed(events).map(\.position.line) == [3])
    }

    @Test func stderrHostileLinesAreCountedOneEach() {
        let good = { (pid: Int) in "2026-11-25 00:54:05.100 UTC [\(pid)] LOG:  statement: SELECT \(pid)" }
        var bytes = Array((good(1) + "\n").utf8)
        bytes += [0x58, 0xFF, 0xFE, 0xC3, 0x28, 0x00, 0x00, 0x0A]                             // 2: invalid UTF-8, NUL
        bytes += Array("2026-11-25 00:54:05.100 UTC [99999999999999999999999] LOG:  statement: SELECT 9\n".utf8)  // 3
        bytes += Array(("X" + String(repeating: "2026-11-25 00:54:05.100 UTC [7] x ", count: 20_000) + "\n").utf8) // 4
        bytes += Array((good(2) + "\n").utf8)
        let (events, _) = PG.parse(bytes: bytes, format: .stderr, prefix: "%m [%p] ", timezone: "UTC")
        #expect(Self.pids(events) == [1, 2])
        #expect(PG.unparsed(events).map(\.position.line) == [2, 3, 4])
    }

    /// Numbers past Int64 in the prefix's `%l` session line number and `%n` epoch, and a duration
    /// past Double: no trap; a prefix that cannot be read is counted, the records around it read.
    @Test func stderrHugeNumbersInThePrefix() {
        let prefix = "%m [%p]: [%l-1] %n "
        let good = { (pid: Int) in "2026-11-25 00:54:05.100 UTC [\(pid)]: [1-1] 1795568045.100 LOG:  statement: SELECT \(pid)" }
        let lines = [
            good(1),
            "2026-11-25 00:54:05.100 UTC [3]: [99999999999999999999999999-1] 1795568045.100 LOG:  statement: SELECT 3",
            "2026-11-25 00:54:05.100 UTC [4]: [1-1] 99999999999999999999999.100 LOG:  statement: SELECT 4",
            "2026-11-25 00:54:05.100 UTC [5]: [1-1] 1795568045.100 LOG:  duration: 1e400 ms  statement: SELECT 5",
            "2026-11-25 00:54:05.100 UTC [6]: [1-1] 1795568045.100 LOG:  duration: 99999999999999999999999999.9 ms",
            good(2),
        ]
        let (events, _) = PG.parse(text: lines.joined(separator: "\n"), format: .stderr, prefix: prefix)
        let pids = Self.pids(events)
        #expect(pids.first == 1 && pids.last == 2)
        #expect(!pids.contains(6))
        // Each hostile line either reads (its numbers dropped) or is counted: none is lost.
        let seen = Set(pids + PG.unparsed(events).map(\.position.line).map { [2: 3, 3: 4, 4: 5, 5: 6][$0] ?? 0 })
        #expect(seen.isSuperset(of: [3, 4, 5]))
    }

    /// A reload's `log_line_prefix` announcement is text in a line: hostile lines announcing a
    /// new prefix each (one with a padding past Int) neither trap nor pile up prefixes to try.
    @Test func announcedPrefixesAreBounded() {
        var lines = ["2026-11-25 00:54:05.100 UTC [1] LOG:  statement: SELECT 1",
                     #"X parameter "log_line_prefix" changed to "%99999999999999999999999999m [%p] ""#]
        for k in 0..<200 { lines.append(#"X parameter "log_line_prefix" changed to "%m [%p] p\#(k) ""#) }
        lines.append("2026-11-25 00:54:05.200 UTC [2] LOG:  statement: SELECT 2")
        var reader = StderrLogReader(prefix: "%m [%p] ", timezone: "UTC", file: "t.log")
        var out = PostgresReaderSink()
        for (i, l) in lines.enumerated() {
            var s = l
            s.withUTF8 { reader.feed($0, lineNumber: i + 1, into: &out) }
        }
        reader.finish(into: &out)
        #expect(reader.matchers.count <= StderrLogReader.maximumPrefixes)
        var pids: [Int] = [], bad: [Int] = []
        for o in out.outputs {
            switch o { case .record(let r): pids.append(r.pid ?? 0); case .unparsed(let u): bad.append(u.position.line) }
        }
        #expect(pids == [1, 2])
        #expect(bad == Array(2...(lines.count - 1)))
    }

    @Test func jsonlogNestedDeepAndHugeNumbers() {
        let deep = "{\"timestamp\":\"2026-11-25 00:54:05.100 UTC\",\"x\":" + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}"
        let good = { (pid: Int) in
            "{\"timestamp\":\"2026-11-25 00:54:05.100 UTC\",\"pid\":\(pid),\"error_severity\":\"LOG\",\"message\":\"statement: SELECT \(pid)\"}"
        }
        let huge = "{\"timestamp\":\"2026-11-25 00:54:05.100 UTC\",\"pid\":1000000000000000000000000000000,"
            + "\"line_num\":1e400,\"query_id\":-99999999999999999999999,\"error_severity\":\"LOG\",\"message\":\"statement: SELECT 3\"}"
        let (events, _) = PG.parse(text: [good(1), deep, huge, good(2)].joined(separator: "\n"), format: .jsonlog)
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1", "SELECT 3", "SELECT 2"])
        #expect(PG.unparsed(events).map(\.position.line) == [2])
    }
}
