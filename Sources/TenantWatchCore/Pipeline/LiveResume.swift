import Glibc

/// How `live` starts again from what the store says it read: pure values in, pure values out,
/// so the resume rules are unit-tested without a terminal, a follower thread or a store (they
/// once lived inside the dashboard's reading loop, where only the tmux end-to-end tests reached).
public struct LiveResume: Sendable {
    /// Where each source (in configuration order) starts: from its stored checkpoints when it has
    /// some, else at the end of its files (tail -F).
    public var starts: [FileFollower.StartPosition]
    /// The earliest `settledBefore` of any stored checkpoint: events before it were judged and
    /// stored by the run that stopped, so reading them again only rebuilds context. nil: nothing
    /// was settled (a first run, or a store written before settling was recorded).
    public var settledBefore: Int64?
    /// Per file, the last line the stopped run had read (`readLine`, else the resume line): a
    /// sighting on a line up to it may already be stored.
    public var readThrough: [String: Int]
    /// The stored checkpoints behind `readThrough` (empty when nothing was settled): what the
    /// stopped run had read, which a commit made while this run catches up must not shrink.
    public var readBefore: [SourceCheckpoint]

    /// Whether some source starts from its stored checkpoints (a resumed run, as the dashboard says).
    public var resumedFromCheckpoints: Bool

    /// `stored`: the store's checkpoints by path. A checkpoint belongs to a source when its path
    /// matches the source's glob (fnmatch, as the follower matches files) or is the source's path.
    /// `fromStart` (`live --from-start`, `--since`): every source starts at its first byte; what an
    /// earlier run settled is still known, so reading it again is recognised and not stored twice.
    public init(sources: [SourceSpec], stored: [String: SourceCheckpoint], fromStart: Bool = false) {
        var settled: Int64?
        var resumed = false
        starts = sources.map { spec in
            let mine = stored.values.filter { fnmatch(spec.path, $0.path, 0) == 0 || $0.path == spec.path }
                .sorted { $0.path < $1.path }
            for c in mine { if let t = c.settledBefore { settled = min(settled ?? t, t) } }
            if fromStart { return .beginning }
            guard !mine.isEmpty else { return .end }
            resumed = true
            let scanned = mine.compactMap { $0.updatedAt?.seconds }.max() ?? 0
            return .checkpoint(FollowerCheckpoint(pattern: spec.path, files: mine, scannedAt: scanned))
        }
        settledBefore = settled
        resumedFromCheckpoints = resumed
        readThrough = settled == nil ? [:]
            : Dictionary(stored.values.map { ($0.path, $0.readLine ?? $0.lineNumber) }, uniquingKeysWith: { max($0, $1) })
        readBefore = settled == nil ? [] : stored.values.sorted { $0.path < $1.path }
    }

    /// The checkpoints to save: resume at `resume` (a correlation context behind), but record where
    /// reading stood for the same file (`reading`, matched by identity) and what was settled
    /// (`.min`: nothing yet, saved as nil).
    ///
    /// `readBefore`: the stopped run's checkpoints (`LiveResume.readBefore`). A restart reads
    /// again from a context back, so until it has caught up, where it reads is short of where the
    /// stopped run had read; saving that would make a second kill take the lines in between as
    /// never read, and count their stored sightings again. The further point is kept (same file:
    /// device, inode and head).
    public static func checkpoints(resume: [SourceCheckpoint], reading: [SourceCheckpoint], settled: Int64,
                                   readBefore: [SourceCheckpoint] = []) -> [SourceCheckpoint] {
        resume.map { r in
            var c = r
            let now = reading.first(where: { $0.identity == r.identity })
            if let now {
                c.readOffset = now.offset
                c.readLine = now.lineNumber
            }
            let head = now ?? r
            if let before = readBefore.first(where: { $0.identity == r.identity && $0.headHash == head.headHash
                                                      && $0.headLength == head.headLength }),
               (before.readLine ?? before.lineNumber) > (c.readLine ?? c.lineNumber) {
                c.readLine = before.readLine ?? before.lineNumber
                c.readOffset = before.readOffset ?? before.offset
            }
            c.settledBefore = settled == .min ? nil : settled
            return c
        }
    }
}
