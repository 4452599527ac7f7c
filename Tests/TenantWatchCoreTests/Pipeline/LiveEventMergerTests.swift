import Testing
@testable import TenantWatchCore

@Suite struct LiveEventMergerTests {
    /// A timed event from `file` at `line` (a backend ending is the smallest event with a time).
    func event(_ file: String, _ line: Int, at seconds: Int64?) -> Event {
        .backendEnded(BackendID(pid: line), seconds.map { Timestamp(microseconds: $0 * 1_000_000) },
                      SourcePosition(file: file, line: line))
    }

    func drained(_ merger: inout LiveEventMerger) -> [String] {
        var out: [String] = []
        merger.drain { out.append("\($0.position.file):\($0.position.line)") }
        return out
    }

    @Test func sourcesThatAreCaughtUpAreMergedByTime() {
        var m = LiveEventMerger(sources: 2)
        m.append([event("pg", 1, at: 10), event("pg", 2, at: 30)], source: 0, behind: false)
        m.append([event("audit", 1, at: 20)], source: 1, behind: false)
        #expect(drained(&m) == ["pg:1", "audit:1", "pg:2"])
        #expect(m.isEmpty)
    }

    @Test func aSourceThatIsBehindHoldsBackNewerEventsOfTheOthers() {
        // The audit log read a slice covering minutes; the query log, behind, only seconds.
        var m = LiveEventMerger(sources: 2)
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
        var m = LiveEventMerger(sources: 2)
        m.append([event("pg", 1, at: 50)], source: 0, behind: true)
        m.append([event("redis", 1, at: nil), event("redis", 2, at: 60)], source: 1, behind: false)
        #expect(drained(&m) == ["redis:1", "pg:1"])
        var rest: [Int] = []
        m.drainAll { rest.append($0.position.line) }
        #expect(rest == [2])
        #expect(m.isEmpty && m.oldestBufferedTime == nil)
    }
}
