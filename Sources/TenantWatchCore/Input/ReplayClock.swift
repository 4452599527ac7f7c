import TenantWatchModel

/// Paces a replay by log time: given the next event's log time and the wall clock, says whether
/// to release it now, wait, or skip it (outside `--from`/`--to`).
///
/// Pure arithmetic over the times it is handed (no sleeping, no clock of its own), so it is
/// tested without waiting and the replay loop stays responsive: it sleeps at most ~100 ms at a
/// time and asks again, so space (pause) and `+`/`-` act at once.
///
/// Log time maps to wall time through an anchor: `wall = wallAnchor + (log - logAnchor) / speed`.
/// Pausing shifts the wall anchor by the pause; a speed change re-anchors at the current log
/// position; a quiet stretch longer than `maximumGap` of wall time is cut to `maximumGap` and
/// reported (`lastCappedGap`), so a night without traffic does not stall the replay.
public struct ReplayClock: Sendable {
    public enum Decision: Equatable, Sendable {
        /// Hand the event on now.
        case release
        /// Ask again after this many wall seconds (sleep less to stay responsive to keys).
        case wait(seconds: Double)
        /// Paused: ask again after a key press or a short sleep.
        case paused
        /// Outside `--from`/`--to`: drop it (it is counted as read).
        case skip
    }

    public private(set) var speed: ReplaySpeed
    public let window: ReplayWindow
    /// Longest wall-time wait between two events; longer quiet spells are cut to it.
    public let maximumGap: Double
    public private(set) var isPaused = false
    /// Events decided on (released or skipped).
    public private(set) var read = 0
    public private(set) var released = 0
    public private(set) var skipped = 0
    /// Log seconds left out by the last gap cut, for the header ("skipped 2h 13m of quiet").
    public private(set) var lastCappedGap: Double?
    /// Log seconds left out by all gap cuts.
    public private(set) var cappedGapTotal: Double = 0

    private var logAnchor: Int64?
    private var wallAnchor: Double = 0
    private var pausedAt: Double?
    private var lastLogTime: Int64?
    /// The wall time the last released event was due: where the gap to the next one is measured.
    private var lastDue: Double?
    private var lastFactor: Double = 1

    public init(speed: ReplaySpeed = .factor(1), window: ReplayWindow = ReplayWindow(), maximumGap: Double = 5) {
        self.speed = speed
        self.window = window
        self.maximumGap = maximumGap
        if case .factor(let f) = speed { lastFactor = f }
    }

    /// What to do with the next event of the merged stream, whose log time is `logTime`, at wall
    /// time `now` (monotonic seconds). `.wait` is not final: ask again with the same event.
    public mutating func decide(logTime: Timestamp?, now: Double) -> Decision {
        if !window.contains(logTime) {
            read += 1
            skipped += 1
            return .skip
        }
        if isPaused { return .paused }
        guard let t = logTime?.microseconds else { return release(nil, due: nil) }
        guard case .factor(let factor) = speed else { return release(t, due: nil) }
        guard let anchor = logAnchor else {
            logAnchor = t
            wallAnchor = now
            return release(t, due: now)
        }
        var due = wallAnchor + Double(t - anchor) / 1e6 / factor
        if let lastDue, due - lastDue > maximumGap {
            // Release `t` maximumGap after the previous event was due, and say what was cut.
            // Measured against the previous due time (not recomputed), so asking again with the
            // same event after waiting does not cut twice.
            let excess = due - lastDue - maximumGap
            logAnchor = anchor + Int64((excess * factor * 1e6).rounded())
            lastCappedGap = excess * factor
            cappedGapTotal += excess * factor
            due = lastDue + maximumGap
        }
        if due > now { return .wait(seconds: due - now) }
        return release(t, due: due)
    }

    private mutating func release(_ t: Int64?, due: Double?) -> Decision {
        read += 1
        released += 1
        if let t { lastLogTime = Swift.max(lastLogTime ?? t, t) }
        if let due { lastDue = Swift.max(lastDue ?? due, due) }
        return .release
    }

    /// The log time the replay has reached at `now` (for the header); nil before the first event.
    public func logTime(at now: Double) -> Timestamp? {
        guard let last = lastLogTime else { return nil }
        guard case .factor(let f) = speed, let anchor = logAnchor else { return Timestamp(microseconds: last) }
        let wall = pausedAt ?? now
        let v = anchor + Int64((wall - wallAnchor) * f * 1e6)
        return Timestamp(microseconds: Swift.max(v, last))
    }

    public mutating func pause(now: Double) {
        guard !isPaused else { return }
        isPaused = true
        pausedAt = now
    }

    public mutating func resume(now: Double) {
        guard isPaused, let at = pausedAt else { return }
        isPaused = false
        pausedAt = nil
        wallAnchor += now - at
        lastDue = lastDue.map { $0 + now - at }
    }

    public mutating func togglePause(now: Double) {
        if isPaused { resume(now: now) } else { pause(now: now) }
    }

    /// Sets the speed from `now` on: events already due stay due, the rest follow the new pace.
    public mutating func setSpeed(_ newSpeed: ReplaySpeed, now: Double) {
        let wall = pausedAt ?? now
        if case .factor(let old) = speed, let anchor = logAnchor {
            let position = anchor + Int64((wall - wallAnchor) * old * 1e6)
            logAnchor = Swift.max(position, anchor)
            wallAnchor = wall
        } else {
            // From `max`: the next event anchors afresh.
            logAnchor = nil
            lastDue = nil
        }
        speed = newSpeed
        if case .factor(let f) = newSpeed { lastFactor = f }
    }

    /// `+`: twice as fast (`max` stays `max`).
    public mutating func faster(now: Double) {
        guard case .factor(let f) = speed else { return }
        setSpeed(.factor(Swift.min(f * 2, ReplaySpeed.range.upperBound)), now: now)
    }

    /// `-`: half as fast (from `max`, back to the last paced speed).
    public mutating func slower(now: Double) {
        switch speed {
        case .max: setSpeed(.factor(lastFactor), now: now)
        case .factor(let f): setSpeed(.factor(Swift.max(f / 2, ReplaySpeed.range.lowerBound)), now: now)
        }
    }
}
