import Testing
@testable import TenantWatchCore

/// The one merge of `scan`, `replay` and `live` (issue 14).
@Suite struct TimeOrderedMergeTests {
    /// A timed event from `file` at `line` (a backend ending is the smallest event with a time).
    func event(_ file: String, _ line: Int, at seconds: Int64?) -> Event {
        event(file, line, micros: seconds.map { $0 * 1_000_000 })
    }

    func event(_ file: String, _ line: Int, micros: Int64?) -> Event {
        .backendEnded(BackendID(pid: line), micros.map { Timestamp(microseconds: $0) },
                      SourcePosition(file: file, line: line))
    }

    func drained(_ merger: inout TimeOrderedMerge) -> [String] {
        var out: [String] = []
        merger.drain { out.append("\($0.position.file):\($0.position.line)") }
        return out
    }

    /// Pulls every event of `sources` (each a list in the order its reader produces them).
    func pulled(_ sources: [[Event]], orders: [MergeOrder]) -> [String] {
        var merge = TimeOrderedMerge(orders: orders)
        var rest = sources
        var out: [String] = []
        while let e = merge.next(pull: { i in rest[i].isEmpty ? nil : rest[i].removeFirst() }) {
            out.append("\(e.position.file):\(e.position.line)")
        }
        return out
    }

    func mkMerge(_ n: Int) -> TimeOrderedMerge { TimeOrderedMerge(orders: Array(repeating: MergeOrder(), count: n)) }

    @Test func sourcesThatAreCaughtUpAreMergedByTime() {
        var m = mkMerge(2)
        m.append([event("pg", 1, at: 10), event("pg", 2, at: 30)], source: 0, behind: false)
        m.append([event("audit", 1, at: 20)], source: 1, behind: false)
        #expect(drained(&m) == ["pg:1", "audit:1", "pg:2"])
        #expect(m.isEmpty)
    }

    @Test func aSourceThatIsBehindHoldsBackNewerEventsOfTheOthers() {
        // The audit log read a slice covering minutes; the query log, behind, only seconds.
        var m = mkMerge(2)
        m.append([event("pg", 1, at: 10), event("pg", 2, at: 12)], source: 0, behind: true)
        m.append([event("audit", 1, at: 11), event("audit", 2, at: 100)], source: 1, behind: false)
        #expect(drained(&m) == ["pg:1", "audit:1", "pg:2"])
        #expect(m.buffered(1) == 1)
        #expect(m.oldestBufferedTime == 100_000_000)
        // The query log catches up past the audit line: it goes out in its place.
        m.append([event("pg", 3, at: 90), event("pg", 4, at: 120)], source: 0, behind: false)
        #expect(drained(&m) == ["pg:3", "audit:2", "pg:4"])
    }

    @Test func untimedEventsGoOutAtOnceAndDrainAllEmptiesEverything() {
        var m = mkMerge(2)
        m.append([event("pg", 1, at: 50)], source: 0, behind: true)
        m.append([event("redis", 1, at: nil), event("redis", 2, at: 60)], source: 1, behind: false)
        #expect(drained(&m) == ["redis:1", "pg:1"])
        var rest: [Int] = []
        m.drainAll { rest.append($0.position.line) }
        #expect(rest == [2])
        #expect(m.isEmpty && m.oldestBufferedTime == nil)
    }

    /// Cause 3 of issue 14: a statement logged at `.638` (milliseconds) may have run at any
    /// instant up to `.638999`; a `GET` at `.638412` (microseconds) of the same millisecond
    /// goes first, in pulled and pushed mode alike. A `GET` of the next millisecond goes after.
    @Test func aMillisecondTimeSortsAtTheEndOfItsMillisecond() {
        let ms = MergeOrder(precision: 1000), us = MergeOrder()
        let pg = [event("pg", 1, micros: 10_638_000)]
        let redis = [event("redis", 1, micros: 10_638_412), event("redis", 2, micros: 10_639_000)]
        #expect(pulled([pg, redis], orders: [ms, us]) == ["redis:1", "pg:1", "redis:2"])
        var m = TimeOrderedMerge(orders: [ms, us])
        m.append(pg, source: 0, behind: false)
        m.append(redis, source: 1, behind: false)
        #expect(drained(&m) == ["redis:1", "pg:1", "redis:2"])
        // Equal keys: the source named first.
        #expect(pulled([[event("pg", 1, micros: 5_000_000)], [event("audit", 1, micros: 5_000_000)]], orders: [ms, ms])
                == ["pg:1", "audit:1"])
    }

    /// The stderr reader holds a backend's record until that backend's next record: its events
    /// come late. Pulled, the merge reads the late source ahead by its lateness and puts the held
    /// record back in place, so stderr gives the order csvlog (in order) gives.
    @Test func aLateSourceIsReadAheadAndPutBackInOrder() {
        let stderr = MergeOrder(precision: 1000, lateness: 3_000_000)
        let csv = MergeOrder(precision: 1000)
        // The reader produced 2 (t=1.5 s) before the held record 1 (t=1 s); the audit line is at 1.2 s.
        let late = [event("pg", 2, micros: 1_500_000), event("pg", 1, micros: 1_000_000), event("pg", 3, micros: 9_000_000)]
        let inOrder = [event("pg", 1, micros: 1_000_000), event("pg", 2, micros: 1_500_000), event("pg", 3, micros: 9_000_000)]
        let audit = [event("audit", 1, micros: 1_200_000), event("audit", 2, micros: 8_000_000)]
        let expected = ["pg:1", "audit:1", "pg:2", "audit:2", "pg:3"]
        #expect(pulled([late, audit], orders: [stderr, csv]) == expected)
        #expect(pulled([inOrder, audit], orders: [csv, csv]) == expected)
        // Nothing is lost when a source ends while others still hold events.
        #expect(pulled([late, []], orders: [stderr, csv]) == ["pg:1", "pg:2", "pg:3"])
        #expect(pulled([[], []], orders: [stderr, csv]).isEmpty)
    }

    /// Read-ahead is bounded: past `maxBuffered` events the earliest goes out without waiting.
    @Test func readAheadIsBounded() {
        var merge = TimeOrderedMerge(orders: [MergeOrder(precision: 1000, lateness: 3_000_000), MergeOrder()])
        merge.maxBuffered = 10
        // Both sources log 1000 events within one millisecond of log time.
        var a = (0..<1000).map { event("pg", $0, micros: 1_000_000) }
        var b = (0..<1000).map { event("redis", $0, micros: 1_000_100) }
        var out = 0
        var most = 0
        while merge.next(pull: { i in
            if i == 0 { return a.isEmpty ? nil : a.removeFirst() }
            return b.isEmpty ? nil : b.removeFirst()
        }) != nil {
            out += 1
            most = max(most, merge.buffered(0) + merge.buffered(1))
        }
        #expect(out == 2000)
        #expect(most <= 10)
        #expect(merge.releasedEarly > 0)
    }
}
