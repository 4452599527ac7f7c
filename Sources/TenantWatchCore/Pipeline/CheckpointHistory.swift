import DequeModule

/// Recent checkpoints of each followed file, each with the newest log time read through it, so
/// `live` can save a point to resume from that lies before everything it still holds.
///
/// Where reading stands is not a safe place to resume after `kill -9`: statements wait there for
/// their audit line, a parser holds each backend's last record, and requests read a moment ago
/// are the context of statements still to come. All of that is memory. Resuming instead from a
/// checkpoint whose lines are all older than the settled time minus the correlation context
/// rebuilds it by reading those seconds again; the store's sighting ledger keeps what was
/// already recorded from being counted twice.
public struct CheckpointHistory {
    struct Entry {
        var checkpoint: SourceCheckpoint
        /// Newest event time produced through this checkpoint; `.min` before any.
        var latest: Int64
    }

    /// How much newer than its file's newest event a record a parser still holds can be.
    public var parserMargin: Int64 = 3_000_000
    private var entries: [FileIdentity: Deque<Entry>] = [:]

    public init() {}

    /// A file starts being read at `checkpoint`: a restart never needs to go back further.
    public mutating func opened(_ checkpoint: SourceCheckpoint) {
        entries[checkpoint.identity] = [Entry(checkpoint: checkpoint, latest: .min)]
    }

    /// Where a file stands now and the newest log time it has produced.
    public mutating func note(_ checkpoint: SourceCheckpoint, latest: Int64?) {
        var list = entries[checkpoint.identity] ?? []
        let time = max(latest ?? .min, list.last?.latest ?? .min)
        if let last = list.last, last.checkpoint.offset == checkpoint.offset {
            list[list.count - 1].latest = time
        } else {
            list.append(Entry(checkpoint: checkpoint, latest: time))
        }
        entries[checkpoint.identity] = list
    }

    /// For each file open now (with its newest event time): the newest noted checkpoint whose
    /// lines are all older than `before` and than what its parser may still hold; entries older
    /// than the one chosen are forgotten. A file with no history resumes where it stands.
    public mutating func resumePoints(for current: [(checkpoint: SourceCheckpoint, latest: Int64?)],
                                      before: Int64) -> [SourceCheckpoint] {
        var seen: Set<FileIdentity> = []
        var out: [SourceCheckpoint] = []
        for (checkpoint, latest) in current {
            let id = checkpoint.identity
            seen.insert(id)
            guard var list = entries[id], !list.isEmpty else {
                out.append(checkpoint)
                continue
            }
            let limit = min(before, (latest ?? .max) == .max ? .max : latest! &- parserMargin)
            var chosen = 0
            for (i, e) in list.enumerated() where e.latest == .min || e.latest &+ parserMargin < limit {
                chosen = i
            }
            if chosen > 0 { list.removeFirst(chosen) }
            entries[id] = list
            var c = list[0].checkpoint
            c.path = checkpoint.path
            out.append(c)
        }
        // Files no longer open (rotated away and closed) are not resumed.
        for id in entries.keys where !seen.contains(id) { entries.removeValue(forKey: id) }
        return out
    }
}
