import Testing
import Foundation
@testable import TenantWatchCore

/// Throughput probe (CPU time, best of 3, ~500k lines per format). Off by default:
/// `PGPERF=all swift test -c release -Xswiftc -enable-testing --filter PostgresThroughput`.
@Suite struct PostgresThroughput {
    static func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PGPERF"] != nil, "set PGPERF=all (or a fixture name part) and run in release"))
    func throughput() {
        for (name, prefix) in [("pg15_phase1_stderr.log", "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "), ("pg15_phase2_verbose_pgaudit_logrows_stderr.log", "%m [%p] %q%u@%d/%a %r sess=%c l=%l vxid=%v xid=%x sqlstate=%e qid=%Q bt=%b tag=%i t=%t n=%n "), ("pg15_phase1.csv", nil), ("pg15_phase1.json", nil)] {
            if let only = ProcessInfo.processInfo.environment["PGPERF"], only != "all", !name.contains(only) { continue }
            let one = PG.fixture(name)
            var big: [UInt8] = []
            var lines = 0
            while lines < 500_000 { big += one; lines += one.filter { $0 == 10 }.count }
            var ends: [Int] = []
            for i in 0..<big.count where big[i] == 10 { ends.append(i) }
            var best = 1e9
            var stats = ""
            for _ in 0..<3 {
                let t0 = Self.cpu()
                var p = PostgresLogParser(format: .auto, prefix: prefix, timezone: "Europe/Berlin", file: name)
                var events: [Event] = []
                big.withUnsafeBufferPointer { b in
                    var start = 0
                    for (n, i) in ends.enumerated() {
                        p.feed(line: UnsafeBufferPointer(rebasing: b[start..<i]), lineNumber: n + 1, into: &events)
                        start = i + 1
                        if events.count > 4096 { events.removeAll(keepingCapacity: true) }
                    }
                }
                p.finish(into: &events)
                best = min(best, Self.cpu() - t0)
                stats = "unparsed \(p.statistics.unparsed) stmts \(p.statistics.statements)"
            }
            print("PERF \(name): \(ends.count) lines, cpu \(best)s = \(Int(Double(ends.count) / best)) lines/s; \(stats)")
        }
    }
}
