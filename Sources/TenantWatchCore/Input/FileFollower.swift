#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows one source path, glob or standard input with `tail -F` semantics, for `live`.
///
/// Pull-driven and single-threaded: `poll` does the stats, the glob scan and the reads, and
/// hands out what arrived; `wait` sleeps until inotify (or the poll interval) says something may
/// have changed. Nothing is lost or read twice across:
/// - rename rotation: the old descriptor is read to its end (and kept a quiet spell for the
///   writer's last lines), then the new file at the path is read from offset 0;
/// - copytruncate: the file shrank below our read position, or its first bytes changed → offset 0;
/// - deletion: drained, then `waiting` until a file appears at the path again (read from 0);
/// - globs: files that start matching are read from offset 0, in name order;
/// - a line still being written is held until its newline (or until its file is rotated away).
///
/// A file is its (device, inode) plus a hash of its first KiB; `checkpoint()` captures that and
/// the offsets, and `StartPosition.checkpoint` resumes from it after a restart.
public final class FileFollower {
    public enum StartPosition: Sendable {
        /// Files present at start are read from their end (what `live` does by default).
        case end
        /// Files present at start are read from their first byte.
        case beginning
        /// Resume where a previous run stopped (see `init`).
        case checkpoint(FollowerCheckpoint)
    }

    public struct Options: Sendable {
        /// How often paths are re-stat'ed and the glob rescanned (polling fallback, and the
        /// safety net under inotify). 100 ms keeps new lines well under the 250 ms promise.
        public var pollInterval: Double
        /// Use inotify when available; false forces polling (tests, network file systems).
        public var useInotify: Bool
        /// A rotated-away file stays open until it has been quiet this long: a writer that has
        /// not reopened its log yet may still append a few lines to it.
        public var rotatedGrace: Double
        /// How long `state` says `rotated` after a rotation.
        public var rotatedStateSeconds: Double
        public var chunkSize: Int
        public var maximumLineLength: Int

        public init(pollInterval: Double = 0.1, useInotify: Bool = true, rotatedGrace: Double = 2,
                    rotatedStateSeconds: Double = 2, chunkSize: Int = 256 << 10,
                    maximumLineLength: Int = LineReader.defaultMaximumLineLength) {
            self.pollInterval = pollInterval
            self.useInotify = useInotify
            self.rotatedGrace = rotatedGrace
            self.rotatedStateSeconds = rotatedStateSeconds
            self.chunkSize = chunkSize
            self.maximumLineLength = maximumLineLength
        }
    }

    /// The path, glob or `-` as the user wrote it.
    public let pattern: String
    public let options: Options
    /// Refreshed by every `poll`.
    public private(set) var state: SourceState = .waiting

    private let isStandardInput: Bool
    private let standardInput: Int32
    private let isGlob: Bool
    /// The directory inotify watches: the pattern's, when it has no glob characters of its own.
    private let directory: String?
    private(set) var watcher: DirectoryWatcher?
    private var watching = false
    /// Files at their path (or still matching the glob), in name order.
    private var active: [FollowedFileHandle] = []
    /// Files renamed away or deleted, drained before the active ones and closed when quiet.
    private var retired: [FollowedFileHandle] = []
    private var start: StartPosition?
    private var nextSerial = 1
    private var lastScan = -Double.infinity
    private var scannedAtWall: Double = 0
    private var lastRotation = -Double.infinity
    private var openErrors: [String: String] = [:]
    private var standardInputEnded = false
    private var pendingEvents: [FollowerEvent] = []
    /// Gzip files matched by the glob: never opened again.
    private var ignored: Set<FileIdentity> = []

    /// - Parameters:
    ///   - pattern: a path, a glob (`/var/log/postgresql/postgresql-*.log`) or `-`.
    ///   - start: where files present now are read from. With a checkpoint, a file that still
    ///     has its checkpointed identity (same device, inode and first bytes, at least as long as
    ///     the offset) resumes at its offset and line number; a checkpointed file renamed out of
    ///     the pattern (found by inode in its directory) is finished first; every other file is
    ///     read from 0 when it was modified after the checkpoint's scan (or is the path itself
    ///     with a new identity), from its end otherwise.
    ///   - standardInput: the descriptor `-` reads (tests hand in a pipe); it is made non-blocking.
    public init(pattern: String, start: StartPosition = .end, options: Options = Options(),
                standardInput: Int32 = 0) {
        self.pattern = pattern
        self.standardInput = standardInput
        self.options = options
        self.start = start
        isStandardInput = pattern == "-"
        isGlob = pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" })
        let dir = FileFollower.directory(of: pattern)
        directory = dir.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) ? nil : dir
        if options.useInotify && !isStandardInput && directory != nil { watcher = DirectoryWatcher() }
        if isStandardInput { openStandardInput() }
    }

    /// True when inotify watches the source's directory; false when polling.
    public var usesInotify: Bool { watching }

    /// Reads what arrived, up to `maxLines` lines, calling `body` for each file opened or closed
    /// and each complete line (its bytes valid only during the call), in file order. Never blocks.
    /// Returns the number of lines delivered.
    @discardableResult
    public func poll(maxLines: Int = 10_000, _ body: (FollowerEvent) -> Void) -> Int {
        let now = FileFollower.monotonicNow()
        let woke = watcher?.drain() ?? DirectoryWatcher.Activity()
        for event in pendingEvents { body(event) }
        pendingEvents.removeAll()
        // A new or renamed name is looked at now; writes (IN_MODIFY floods on a busy log) only
        // need reads, and rescans for them are spaced out.
        if !isStandardInput && (start != nil || woke.namesChanged || now - lastScan >= options.pollInterval
                                || (woke.any && now - lastScan >= 0.02)) {
            scan(now: now, body)
        }
        var budget = maxLines
        var index = 0
        while index < retired.count {
            let handle = retired[index]
            read(handle, budget: &budget, now: now, body)
            if budget > 0 && (now - handle.lastGrowth >= options.rotatedGrace || handle.readError != nil) {
                close(handle, body)
                retired.remove(at: index)
            } else {
                index += 1
            }
        }
        for handle in active where budget > 0 {
            // Checked before every read, not only on a scan: reading at the old offset of a file
            // that was truncated and refilled would deliver the middle of its new content.
            if !isStandardInput && handle.wasTruncated() { restart(handle, now: now, body) }
            read(handle, budget: &budget, now: now, body)
        }
        if isStandardInput, let handle = active.first, handle.input.lastReadWasEndOfFile, budget > 0 {
            close(handle, body)
            active.removeAll()
            standardInputEnded = true
        }
        state = computeState(now: now)
        return maxLines - budget
    }

    /// Where every open file stands: what the store persists to resume without duplicates.
    public func checkpoint() -> FollowerCheckpoint {
        FollowerCheckpoint(pattern: pattern, files: (retired + active).map(\.checkpoint), scannedAt: scannedAtWall)
    }

    /// Per-file detail for the dashboard.
    public var files: [FollowedFileStatus] {
        retired.map { FollowedFileStatus(file: $0.file, checkpoint: $0.checkpoint, lagBytes: $0.lagBytes, rotatedAway: true) }
            + active.map { FollowedFileStatus(file: $0.file, checkpoint: $0.checkpoint, lagBytes: $0.lagBytes, rotatedAway: false) }
    }

    /// Sleeps until this follower may have something new, at most `timeout` seconds.
    public func wait(timeout: Double) { FileFollower.wait(for: [self], timeout: timeout) }

    /// Sleeps until any of `followers` may have something new (an inotify event, standard input
    /// readable, a poll interval due), at most `timeout` seconds. Returns at once when one is
    /// lagging. The `live` loop is `wait` then `poll` on each, forever.
    public static func wait(for followers: [FileFollower], timeout: Double) {
        var fds: [pollfd] = []
        var limit = timeout
        for f in followers {
            if case .lagging = f.state { limit = 0 }
            if let w = f.watcher, f.watching {
                fds.append(pollfd(fd: w.fileDescriptor, events: Int16(POLLIN), revents: 0))
                // Still look now and then: grace periods end, network file systems stay silent.
                limit = min(limit, max(f.options.pollInterval, 0.5))
            } else if f.isStandardInput {
                if !f.standardInputEnded { fds.append(pollfd(fd: f.standardInput, events: Int16(POLLIN), revents: 0)) }
            } else {
                limit = min(limit, f.options.pollInterval)
            }
            if !f.retired.isEmpty { limit = min(limit, f.options.pollInterval) }
        }
        let ms = Int32(max(0, min(limit, 3600)) * 1000)
        _ = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), ms) }
    }

    // MARK: scanning

    private func scan(now: Double, _ body: (FollowerEvent) -> Void) {
        lastScan = now
        scannedAtWall = FileFollower.wallNow()
        // Again on every scan: the directory may appear late, or be removed and re-created.
        if let watcher, let directory { watching = watcher.watch(directory: directory) }
        // Paths that still fail are retried below and report again; vanished ones are forgotten.
        openErrors.removeAll()

        var found: [(path: String, st: stat)] = []
        for path in PathExpansion.expand(pattern) {
            guard let st = FileFollower.status(of: path) else {
                if errno != ENOENT { openErrors[path] = SourceError.cannotOpen(path: path, errno: errno).description }
                continue
            }
            let kind = st.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFIFO else { continue }
            if path.hasSuffix(".gz") { continue }   // compressed rotations are for `replay`
            found.append((path, st))
        }
        var pathOf: [FileIdentity: String] = [:]
        for f in found { pathOf[FileIdentity(f.st)] = f.path }

        // Files we have open: still there, renamed within the glob, truncated, or gone.
        var index = 0
        while index < active.count {
            let handle = active[index]
            if let path = pathOf[handle.identity] {
                handle.currentPath = path
                index += 1
            } else {
                handle.retiredAt = now
                handle.lastGrowth = now
                lastRotation = now
                retired.append(handle)
                active.remove(at: index)
            }
        }
        // A retired file that matches again (renamed back into the glob) is simply active again.
        index = 0
        while index < retired.count {
            if let path = pathOf[retired[index].identity] {
                let handle = retired.remove(at: index)
                handle.currentPath = path
                handle.retiredAt = nil
                active.append(handle)
            } else {
                index += 1
            }
        }

        let known = Set((active + retired).map(\.identity)).union(ignored)
        let startNow = start
        start = nil
        if case .checkpoint(let cp)? = startNow { resumeRotatedAway(cp, present: Set(pathOf.keys), now: now, body) }
        for f in found.sorted(by: { $0.path < $1.path }) where !known.contains(FileIdentity(f.st)) {
            open(path: f.path, st: f.st, start: startNow, now: now, body)
        }
        active.sort { $0.currentPath < $1.currentPath }
    }

    /// Opens a file that started matching: from its start, unless this is the first scan.
    private func open(path: String, st: stat, start: StartPosition?, now: Double, _ body: (FollowerEvent) -> Void) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno != ENOENT { openErrors[path] = SourceError.cannotOpen(path: path, errno: errno).description }
            return
        }
        openErrors[path] = nil
        var fst = stat()
        fstat(fd, &fst)
        let identity = FileIdentity(fst)
        let input = FileDescriptorByteSource(fileDescriptor: fd, ownsDescriptor: true)
        if (fst.st_mode & S_IFMT) == S_IFREG && ByteSources.isGzip(fileDescriptor: fd) {
            ignored.insert(identity)   // a compressed rotation: for `replay`, not followed
            return
        }
        let size = Int64(fst.st_size)
        var offset: Int64 = 0
        var lines = 0
        switch start {
        case nil, .beginning?:
            break
        case .end?:
            (offset, lines) = FollowedFileHandle.lineBoundary(fileDescriptor: fd, size: size)
        case .checkpoint(let cp)?:
            if let c = cp.files.first(where: { $0.identity == identity }) {
                if FileFollower.matches(c, fileDescriptor: fd, size: size) { (offset, lines) = (c.offset, c.lineNumber) }
            } else if isGlob && Double(fst.st_mtim.tv_sec) + Double(fst.st_mtim.tv_nsec) / 1e9 < cp.scannedAt - 1 {
                // It was there, untouched, when the checkpoint was taken: nothing new in it.
                (offset, lines) = FollowedFileHandle.lineBoundary(fileDescriptor: fd, size: size)
            }
        }
        add(path: path, identity: identity, input: input, offset: offset, lines: lines, retired: false, now: now, body)
    }

    /// A checkpointed file no longer matched by the pattern (logrotate renamed `x.log` to
    /// `x.log.1`): found by inode in its old directory, it is finished from its offset first.
    private func resumeRotatedAway(_ cp: FollowerCheckpoint, present: Set<FileIdentity>, now: Double,
                                   _ body: (FollowerEvent) -> Void) {
        for c in cp.files where !present.contains(c.identity) {
            let dir = FileFollower.directory(of: c.path)
            guard let name = FileFollower.entry(withInode: c.inode, in: dir) else { continue }
            let path = dir == "." && !c.path.hasPrefix("./") ? name : dir + "/" + name
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { continue }
            let input = FileDescriptorByteSource(fileDescriptor: fd, ownsDescriptor: true)
            var st = stat()
            guard fstat(fd, &st) == 0, FileIdentity(st) == c.identity,
                  FileFollower.matches(c, fileDescriptor: fd, size: Int64(st.st_size)) else { continue }
            add(path: path, identity: c.identity, input: input, offset: c.offset, lines: c.lineNumber,
                retired: true, now: now, body)
        }
    }

    private func add(path: String, identity: FileIdentity, input: FileDescriptorByteSource, offset: Int64, lines: Int,
                     retired isRetired: Bool, now: Double, _ body: (FollowerEvent) -> Void) {
        let fd = input.fileDescriptor
        if offset > 0 { lseek(fd, off_t(offset), SEEK_SET) }
        let head = FileHead.hash(fileDescriptor: fd)
        var reader = LineReader(source: input, chunkSize: options.chunkSize,
                                maximumLineLength: options.maximumLineLength, lineNumber: lines)
        reader.holdsPartialLine = true
        let file = FollowedFile(serial: nextSerial, path: path)
        nextSerial += 1
        let handle = FollowedFileHandle(file: file, identity: identity, input: input, reader: reader,
                                        baseOffset: offset, head: (head.hash, head.length), now: now)
        if isRetired {
            handle.retiredAt = now
            retired.append(handle)
        } else {
            active.append(handle)
        }
        body(.opened(file, firstLineNumber: lines + 1))
    }

    /// copytruncate: what is left of the old content's last line is delivered, then the file is
    /// read again from offset 0 under a new serial (fresh line numbers, a fresh parser).
    private func restart(_ handle: FollowedFileHandle, now: Double, _ body: (FollowerEvent) -> Void) {
        close(handle, body)
        lseek(handle.fileDescriptor, 0, SEEK_SET)
        handle.reader.close()
        handle.reader = LineReader(source: handle.input, chunkSize: options.chunkSize,
                                   maximumLineLength: options.maximumLineLength)
        handle.reader.holdsPartialLine = true
        handle.baseOffset = 0
        let head = FileHead.hash(fileDescriptor: handle.fileDescriptor)
        handle.head = (head.hash, head.length)
        handle.file = FollowedFile(serial: nextSerial, path: handle.currentPath)
        nextSerial += 1
        lastRotation = now
        body(.opened(handle.file, firstLineNumber: 1))
    }

    // MARK: reading

    private func read(_ handle: FollowedFileHandle, budget: inout Int, now: Double, _ body: (FollowerEvent) -> Void) {
        guard handle.readError == nil else { return }
        let before = handle.reader.bytesRead
        while budget > 0 {
            let line: LineReader.Line?
            do {
                line = try handle.reader.nextLine()
            } catch {
                handle.readError = "\(handle.currentPath): \(error)"
                break
            }
            guard let line else { break }
            budget -= 1
            body(.line(FollowedLine(file: handle.file, bytes: line.bytes, number: line.number, truncated: line.truncated)))
        }
        handle.behind = budget == 0
        if handle.reader.bytesRead != before { handle.lastGrowth = now }
    }

    /// Delivers a held partial line (its file will not complete it) and says the file is done.
    private func close(_ handle: FollowedFileHandle, _ body: (FollowerEvent) -> Void) {
        if let line = handle.reader.takePartialLine() {
            body(.line(FollowedLine(file: handle.file, bytes: line.bytes, number: line.number, truncated: false)))
        }
        body(.closed(handle.file))
    }

    private func openStandardInput() {
        // Non-blocking, so a poll never waits for a writer (`read` says EAGAIN instead).
        let flags = fcntl(standardInput, F_GETFL)
        if flags >= 0 { _ = fcntl(standardInput, F_SETFL, flags | O_NONBLOCK) }
        var st = stat()
        fstat(standardInput, &st)
        let input = FileDescriptorByteSource(fileDescriptor: standardInput, ownsDescriptor: false)
        var reader = LineReader(source: input, chunkSize: options.chunkSize, maximumLineLength: options.maximumLineLength)
        reader.holdsPartialLine = true
        let file = FollowedFile(serial: nextSerial, path: "-")
        nextSerial += 1
        active = [FollowedFileHandle(file: file, identity: FileIdentity(st), input: input, reader: reader,
                                     baseOffset: 0, head: (0, 0), now: FileFollower.monotonicNow())]
        pendingEvents.append(.opened(file, firstLineNumber: 1))
    }

    private func computeState(now: Double) -> SourceState {
        if let error = (active + retired).lazy.compactMap(\.readError).first { return .error(error) }
        if let error = openErrors.sorted(by: { $0.key < $1.key }).first?.value { return .error(error) }
        if isStandardInput { return standardInputEnded ? .ended : .following }
        if active.isEmpty { return .waiting }
        if now - lastRotation < options.rotatedStateSeconds { return .rotated }
        let lag = (retired + active).reduce(Int64(0)) { $0 + $1.lagBytes }
        return lag > 0 ? .lagging(bytes: lag) : .following
    }

    // MARK: helpers

    static func matches(_ c: SourceCheckpoint, fileDescriptor fd: Int32, size: Int64) -> Bool {
        guard size >= c.offset else { return false }
        let head = FileHead.hash(fileDescriptor: fd, length: c.headLength)
        return head.length == c.headLength && head.hash == c.headHash
    }

    /// `stat(2)` of a path (nil with `errno` set when it fails).
    static func status(of path: String) -> stat? {
        var st = stat()
        return stat(path, &st) == 0 ? st : nil
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The name of the entry with this inode in `directory`, read from `d_ino` without a stat each.
    static func entry(withInode inode: UInt64, in directory: String) -> String? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            guard UInt64(entry.pointee.d_ino) == inode else { continue }
            return withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
        }
        return nil
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func wallNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
