import DequeModule
import TenantWatchModel

/// How one source's times compare with the others': what the single merge of every mode needs
/// to know about a source to put its events in log-time order.
public struct MergeOrder: Sendable, Equatable {
    /// The resolution of the source's times, in microseconds: PostgreSQL and audit lines write
    /// milliseconds (1000), Redis MONITOR microseconds (1). A time of coarser precision stands for
    /// its whole interval: `12:00:00.638` may be any instant up to `.638999`, so it sorts after a
    /// `GET` at `.638412` — the statement logged at `.638` is never put before a command of the
    /// same millisecond that it could have followed.
    public var precision: Int64
    /// How much older (microseconds of log time) an event of this source may be than one it
    /// already produced: the stderr reader holds a backend's record until that backend's next
    /// record or about two seconds of log time, so its events come out of order by up to that.
    /// 0 for sources whose events come in their own time order.
    public var lateness: Int64

    public init(precision: Int64 = 1, lateness: Int64 = 0) {
        self.precision = max(1, precision)
        self.lateness = max(0, lateness)
    }

    /// What a followed source of this kind writes (its parser is made per file, later): Redis
    /// MONITOR microseconds, PostgreSQL and audit logs milliseconds.
    public static func typical(for kind: SourceKind) -> MergeOrder {
        kind == .redis ? MergeOrder() : MergeOrder(precision: 1000)
    }

    /// The sort key of a time: the end of the interval the time stands for.
    @inline(__always) func key(_ microseconds: Int64) -> Int64 { microseconds &+ (precision - 1) }
}

/// The one time-ordered merge behind `scan`, `replay` and `live` (issue 14: three mergers gave
/// three answers). Events of several sources go out oldest first by `MergeOrder.key`; on a tie
/// the source named first, then the order read.
///
/// Two ways to drive it, one ordering:
/// - pulled (`next(pull:)`, archives): an event goes out only when every source that is not
///   exhausted has produced an event at least its `lateness` newer, so the stderr reader's held
///   records are back in place before anything newer is judged — stderr, csvlog and jsonlog of
///   the same traffic reach correlation in the same order;
/// - pushed (`append` + `drain`, followed files): an event goes out when no source that is
///   still behind (more lines waiting on disk) could have an older one to come. A source that is
///   caught up is not waited for (a missing-predicate finding must be on screen within a second);
///   what arrives late is handled by correlation, which keeps requests for the window.
///
/// An event without a time takes the key of its source's previous event (so it stays in place
/// within its source), or goes first when its source has not yet given a time.
public struct TimeOrderedMerge {
    public let orders: [MergeOrder]
    private var buffers: [Deque<(key: Int64, event: Event)>]
    /// The newest key each source produced (`.min`: none yet).
    private var newest: [Int64]
    /// The key of each source's latest timed event, for the untimed ones after it.
    private var lastKey: [Int64]
    /// Sources that may still produce events (pulled mode).
    private var open: [Bool]
    /// Pushed mode: sources whose last read stopped at its line budget.
    private var behind: [Bool]
    /// Pulled mode: events read ahead at most (all sources). The lateness is in log time, and a
    /// bulk load can log a million statements in a second: past this many, the earliest event
    /// goes out without waiting, so memory stays bounded (counted in `releasedEarly`).
    public var maxBuffered = 250_000
    private var bufferedCount = 0
    public private(set) var releasedEarly = 0

    public init(orders: [MergeOrder]) {
        self.orders = orders
        buffers = Array(repeating: [], count: orders.count)
        newest = Array(repeating: .min, count: orders.count)
        lastKey = Array(repeating: .min, count: orders.count)
        open = Array(repeating: true, count: orders.count)
        behind = Array(repeating: false, count: orders.count)
    }

    public var isEmpty: Bool { buffers.allSatisfy(\.isEmpty) }

    /// Events waiting from `source`.
    public func buffered(_ source: Int) -> Int { buffers[source].count }

    /// Adds one event of `source`, in the order the source produced it.
    public mutating func append(_ event: consuming Event, source s: Int) {
        let key: Int64
        if let t = event.time?.microseconds {
            key = orders[s].key(t)
            lastKey[s] = key
            if key > newest[s] { newest[s] = key }
        } else {
            key = lastKey[s]
        }
        // A source that may run late gets its event put back in place; the others are trusted
        // (a clock step backwards is kept as written, as every log viewer shows it).
        if orders[s].lateness > 0, let last = buffers[s].last, last.key > key {
            var i = buffers[s].count - 1
            while i > 0, buffers[s][i - 1].key > key { i -= 1 }
            buffers[s].insert((key, event), at: i)
        } else {
            buffers[s].append((key, event))
        }
        bufferedCount += 1
    }

    /// Pushed mode: `events` read from `source`; `behind`: the read stopped at its line budget.
    public mutating func append(_ events: [Event], source: Int, behind isBehind: Bool) {
        for e in events { append(e, source: source) }
        behind[source] = isBehind
    }

    /// Pulled mode: `source` has no more events.
    public mutating func close(_ source: Int) { open[source] = false }

    /// The oldest log time among the events still waiting.
    public var oldestBufferedTime: Int64? {
        var oldest: Int64?
        for b in buffers {
            for e in b { if let t = e.event.time?.microseconds, oldest == nil || t < oldest! { oldest = t } }
        }
        return oldest
    }

    /// The source whose first waiting event is the earliest (ties: the source named first).
    private func candidate() -> Int? {
        var best = -1
        var bestKey = Int64.max
        for i in buffers.indices {
            guard let first = buffers[i].first else { continue }
            if best < 0 || first.key < bestKey { best = i; bestKey = first.key }
        }
        return best < 0 ? nil : best
    }

    /// Pulled mode: the open source that must be read further before an event keyed `key` can
    /// go out (the one furthest behind), or nil when it can go now.
    private func blocker(for key: Int64) -> Int? {
        var worst: Int?
        var worstReach = Int64.max
        for s in open.indices where open[s] {
            let reach = newest[s] == .min ? Int64.min : newest[s] - orders[s].lateness
            if reach < key, worst == nil || reach < worstReach { worst = s; worstReach = reach }
        }
        return worst
    }

    /// Pulled mode: makes sure the next event to go out is known, reading sources through
    /// `pull` (nil: that source is exhausted) as far as needed. Returns its source, nil at the end.
    public mutating func prepare(pull: (Int) throws -> Event?) rethrows -> Int? {
        while true {
            if let c = candidate() {
                guard let b = blocker(for: buffers[c].first!.key) else { return c }
                if bufferedCount >= maxBuffered { releasedEarly += 1; return c }
                if let e = try pull(b) { append(e, source: b) } else { close(b) }
                continue
            }
            guard let s = open.firstIndex(of: true) else { return nil }
            if let e = try pull(s) { append(e, source: s) } else { close(s) }
        }
    }

    /// The next event (pulled mode), nil when every source is exhausted.
    public mutating func next(pull: (Int) throws -> Event?) rethrows -> Event? {
        guard let s = try prepare(pull: pull) else { return nil }
        return take(s)
    }

    /// The first waiting event of `source` (after `prepare` named it).
    public func first(of source: Int) -> Event? { buffers[source].first?.event }

    /// Takes the first waiting event of `source` out.
    public mutating func take(_ source: Int) -> Event {
        bufferedCount -= 1
        return buffers[source].removeFirst().event
    }

    /// Pushed mode: hands out, oldest first, every event no source that is behind could still
    /// precede.
    public mutating func drain(_ body: (Event) -> Void) {
        var horizon = Int64.max
        for i in buffers.indices where behind[i] { horizon = min(horizon, newest[i]) }
        while let c = candidate(), buffers[c].first!.key <= horizon {
            body(take(c))
        }
    }

    /// Pushed mode, shutting down or gone quiet: everything waiting goes out, in order.
    public mutating func drainAll(_ body: (Event) -> Void) {
        for i in behind.indices { behind[i] = false }
        drain(body)
    }
}
