import DequeModule

/// Merges the events of several followed sources in log-time order, as `scan` does for files.
///
/// Followed sources are read a slice at a time. With a backlog (a restart, a burst) a slice of
/// the audit log can cover minutes of log time while the same number of query-log lines covers
/// seconds; handed over source by source, the requests would leave the correlation window before
/// their statements arrive. So each source's events wait here, and an event goes out only when
/// no source still behind (more lines waiting on disk) could have an older one to come.
public struct LiveEventMerger {
    private var buffers: [Deque<Event>]
    private var behind: [Bool]
    private var newest: [Int64]

    public init(sources: Int) {
        buffers = Array(repeating: [], count: sources)
        behind = Array(repeating: false, count: sources)
        newest = Array(repeating: .min, count: sources)
    }

    /// Events read from `source`; `behind`: the read stopped at its line budget, more is waiting.
    public mutating func append(_ events: [Event], source: Int, behind isBehind: Bool) {
        buffers[source].append(contentsOf: events)
        behind[source] = isBehind
        for e in events { if let t = e.time?.microseconds, t > newest[source] { newest[source] = t } }
    }

    /// Events waiting from `source`.
    public func buffered(_ source: Int) -> Int { buffers[source].count }

    public var isEmpty: Bool { buffers.allSatisfy(\.isEmpty) }

    /// The oldest log time among the events still waiting.
    public var oldestBufferedTime: Int64? {
        var oldest: Int64?
        for b in buffers {
            for e in b { if let t = e.time?.microseconds, oldest == nil || t < oldest! { oldest = t } }
        }
        return oldest
    }

    /// Hands out, oldest first, every event no source that is behind could still precede;
    /// events without a time go out as soon as they are first in their source.
    public mutating func drain(_ body: (Event) -> Void) {
        var horizon = Int64.max
        for i in buffers.indices where behind[i] { horizon = min(horizon, newest[i]) }
        while true {
            var best = -1
            var bestTime = Int64.max
            for i in buffers.indices {
                guard let first = buffers[i].first else { continue }
                let t = first.time?.microseconds ?? .min
                if best < 0 || t < bestTime { best = i; bestTime = t }
            }
            guard best >= 0, bestTime <= horizon else { return }
            body(buffers[best].removeFirst())
        }
    }

    /// Shutting down or gone quiet: everything waiting goes out, in time order.
    public mutating func drainAll(_ body: (Event) -> Void) {
        for i in behind.indices { behind[i] = false }
        drain(body)
    }
}
