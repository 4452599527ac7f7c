/// What the dashboard's header says about a source, refreshed on every poll.
public enum SourceState: Equatable, Sendable, CustomStringConvertible {
    /// Caught up: every complete line written so far has been delivered.
    case following
    /// Behind the writer by this many bytes (a poll's line budget ran out, or replaying a backlog).
    case lagging(bytes: Int64)
    /// Nothing to read: the file does not exist (yet, or again), or the glob matches nothing.
    case waiting
    /// A rotation (rename, copytruncate, deletion and re-creation) happened in the last seconds.
    case rotated
    /// Standard input was closed by its writer: nothing more will come.
    case ended
    case error(String)

    public var description: String {
        switch self {
        case .following: return "following"
        case .lagging(let bytes): return "lagging by \(bytes) bytes"
        case .waiting: return "waiting"
        case .rotated: return "rotated"
        case .ended: return "ended"
        case .error(let message): return "error: \(message)"
        }
    }
}

/// One file a follower has open, for the dashboard and for the store.
public struct FollowedFileStatus: Sendable, Equatable {
    public var file: FollowedFile
    public var checkpoint: SourceCheckpoint
    /// Bytes written but not yet read.
    public var lagBytes: Int64
    /// Renamed away or deleted: being drained before it is closed.
    public var rotatedAway: Bool
}

/// A file as the follower's consumers see it: a serial number (a truncated file restarts under a
/// new serial, so a parser per serial never mixes old and new content) and the path it was opened at.
public struct FollowedFile: Hashable, Sendable {
    public var serial: Int
    public var path: String
}

/// What one poll hands out, in order: a file opens, its lines, it closes.
public enum FollowerEvent {
    /// Lines from this file follow; `firstLineNumber` is the number of the first one.
    case opened(FollowedFile, firstLineNumber: Int)
    case line(FollowedLine)
    /// No more lines will come from it (rotated away and drained, truncated, deleted, stdin ended).
    case closed(FollowedFile)
}

/// One complete line; `bytes` (without `\n` or a trailing `\r`) is valid only during the callback.
public struct FollowedLine {
    public var file: FollowedFile
    public var bytes: UnsafeBufferPointer<UInt8>
    public var number: Int
    /// Longer than the maximum line length: only its head is delivered.
    public var truncated: Bool
}
