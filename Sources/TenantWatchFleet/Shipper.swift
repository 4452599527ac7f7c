#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TenantWatchCore

/// `tenantwatch ship`: follows log files with the same `FileFollower` as `live` (rotation,
/// copytruncate, globs, checkpoints) and publishes every complete line to the transport.
///
/// The loop is poll → publish the batch → wait for every acknowledgement → save the followers'
/// checkpoints. Reading never runs ahead of an unacknowledged batch: a batch that fails is
/// published again (same ids, so nothing is stored twice) until it is acknowledged, and a crash
/// resumes from the last saved checkpoint — at worst the unacknowledged batch is re-read and
/// re-published, and the stream drops what it already had.
public final class Shipper {
    public struct Source: Sendable, Equatable {
        public var kind: SourceKind
        public var pattern: String
        public init(kind: SourceKind, pattern: String) {
            self.kind = kind
            self.pattern = pattern
        }
    }

    public struct Options: Sendable {
        /// Lines read (and so published and acknowledged) per batch.
        public var batchLines: Int
        /// How long a batch may wait for its acknowledgements before it is published again.
        public var ackTimeout: Double
        /// Where reading starts when there is no saved state: `--from-start` reads the files'
        /// content, otherwise only what is appended from now on (like `live`).
        public var fromStart: Bool
        public var follower: FileFollower.Options

        public init(batchLines: Int = 2_000, ackTimeout: Double = 10, fromStart: Bool = false,
                    follower: FileFollower.Options = FileFollower.Options()) {
            self.batchLines = batchLines
            self.ackTimeout = ackTimeout
            self.fromStart = fromStart
            self.follower = follower
        }
    }

    public struct Progress: Sendable, Equatable {
        public var linesPublished = 0
        public var batches = 0
        /// Batches published again after a failed or timed-out acknowledgement.
        public var retries = 0
        public var lastError: String?
    }

    public let host: String
    public let sources: [Source]
    public let statePath: String?
    public let options: Options
    /// Created (or checked) before the first publish; nil: the caller has done it.
    public let stream: StreamSettings?
    private var streamReady = false
    public private(set) var progress = Progress()
    /// The last `step` completed and found nothing to publish (`ship --once` stops on it).
    public private(set) var lastStepWasEmpty = false
    private let transport: any Transport
    private let followers: [FileFollower]
    /// The batch read but not yet acknowledged, and the checkpoints it leads to.
    private var pending: [OutgoingMessage] = []
    private var pendingCheckpoints: [FollowerCheckpoint] = []
    private var savedFiles: [[SourceCheckpoint]]?

    public init(host: String, sources: [Source], transport: any Transport, statePath: String?,
                stream: StreamSettings? = nil, options: Options = Options()) throws {
        self.host = host
        self.stream = stream
        self.sources = sources
        self.transport = transport
        self.statePath = statePath
        self.options = options
        let saved = try statePath.flatMap { try ShipState.load(path: $0) }
        if let saved, saved.host != host {
            throw TransportError("ship state \(statePath!) belongs to host \(saved.host), not \(host)")
        }
        // A line longer than the bus takes would be refused on every retry and stop the shipper:
        // the follower cuts it (its head travels, marked `Tw-Truncated`), leaving room for headers.
        var followerOptions = options.follower
        followerOptions.maximumLineLength = min(followerOptions.maximumLineLength,
                                                max(1024, transport.maximumMessageSize - 16 * 1024))
        followers = sources.map { source in
            let start: FileFollower.StartPosition
            if let checkpoint = saved?.checkpoint(for: source.pattern) {
                start = .checkpoint(checkpoint)
            } else {
                start = options.fromStart ? .beginning : .end
            }
            return FileFollower(pattern: source.pattern, start: start, options: followerOptions)
        }
    }

    /// Reads what arrived (at most one batch), publishes it and saves the checkpoints once it is
    /// acknowledged. Returns the number of lines published; throws when publishing failed (the
    /// batch is kept and the next call publishes it again before reading on).
    @discardableResult
    public func step() throws -> Int {
        if let stream, !streamReady {
            // Retried like a publish: at start the cluster may be electing a leader.
            try transport.ensureStream(stream)
            streamReady = true
        }
        if pending.isEmpty {
            var budget = options.batchLines
            for (index, follower) in followers.enumerated() where budget > 0 {
                let kind = sources[index].kind
                let pattern = sources[index].pattern
                budget -= follower.poll(maxLines: budget) { event in
                    if case .line(let line) = event {
                        pending.append(ShippedLine.message(kind: kind, host: host, pattern: pattern, path: line.file.path,
                                                           line: line.number, bytes: line.bytes, truncated: line.truncated))
                    }
                }
            }
            pendingCheckpoints = followers.map { $0.checkpoint() }
        }
        if !pending.isEmpty {
            do {
                try transport.publish(pending, timeout: options.ackTimeout)
            } catch {
                progress.retries += 1
                progress.lastError = "\(error)"
                throw error
            }
        }
        let published = pending.count
        try saveState()
        lastStepWasEmpty = published == 0
        progress.linesPublished += published
        if published > 0 { progress.batches += 1 }
        pending.removeAll(keepingCapacity: true)
        return published
    }

    /// Steps until `shouldStop` says so, sleeping on the followers while nothing arrives and
    /// backing off (up to 2 s) while the transport refuses.
    public func run(shouldStop: () -> Bool, onError: (String) -> Void = { _ in }) {
        var backoff = 0.1
        while !shouldStop() {
            do {
                let n = try step()
                backoff = 0.1
                if n == 0 { FileFollower.wait(for: followers, timeout: 0.25) }
            } catch {
                onError("\(error)")
                Shipper.sleep(seconds: backoff)
                backoff = min(backoff * 2, 2)
            }
        }
    }

    /// True when every follower has nothing left to read and nothing is unacknowledged.
    public var isCaughtUp: Bool {
        pending.isEmpty && followers.allSatisfy { f in
            switch f.state {
            case .lagging: return false
            default: return true
            }
        }
    }

    private func saveState() throws {
        guard let statePath, !pendingCheckpoints.isEmpty else { return }
        // Scans alone move `scannedAt` on every poll; an fsync for that is not worth it.
        let files = pendingCheckpoints.map(\.files)
        guard files != savedFiles else { return }
        try ShipState(host: host, followers: pendingCheckpoints).save(path: statePath)
        savedFiles = files
    }

    static func sleep(seconds: Double) {
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        nanosleep(&ts, nil)
    }
}
