import TenantWatchModel

/// One followed source (`live`) turned into events a poll at a time: `SourceCursor`'s live twin.
///
/// Each file the follower opens gets its own parser (made by `makeParser` with the file's path),
/// so positions name the right file and a truncated file's old and new content never share a
/// held record. A parser that holds records back (PostgreSQL waits for a backend's DETAIL line)
/// is told to flush once its file has been quiet for `idleFlushSeconds`.
public final class LiveSourceCursor {
    public typealias MakeParser = (_ file: String) throws -> LogParser

    public let follower: FileFollower
    public let idleFlushSeconds: Double
    /// Physical lines read so far.
    public private(set) var lines = 0
    /// Files whose kind could not be told or whose parser could not be made; they are skipped.
    public private(set) var warnings: [String] = []

    private let makeParser: MakeParser
    private var slots: [Int: Slot] = [:]
    /// Where each file opened since the last `takeOpened()` started being read.
    private var opened: [SourceCheckpoint] = []
    /// The newest event time each open file (by serial) has produced.
    private var latest: [Int: Int64] = [:]
    private var scratch: [Event] = []

    /// A class, so feeding a parser mutates it in place instead of copying its held records.
    private final class Slot {
        var parser: LogParser?
        var lastLine: Double
        var flushed = true
        /// The parser could not be made when the file opened (an empty new file's kind cannot be
        /// told): it is tried once more at the first line, when the file has content.
        var retryAtFirstLine = false
        init(lastLine: Double) { self.lastLine = lastLine }
    }

    /// 0.3 s: PostgreSQL writes a message with its DETAIL/STATEMENT lines in one write, so a record
    /// quiet that long is complete — and a missing predicate must be on screen within a second
    /// (issue 14), which a one-second hold alone would already use up.
    public init(follower: FileFollower, idleFlushSeconds: Double = 0.3, makeParser: @escaping MakeParser) {
        self.follower = follower
        self.idleFlushSeconds = idleFlushSeconds
        self.makeParser = makeParser
    }

    /// The usual wiring: follow `spec.path` (path, glob or `-`) from `start`, with the parser the
    /// factory makes for the spec's kind (or each file's detected kind).
    public convenience init(spec: SourceSpec, factory: ParserFactory, start: FileFollower.StartPosition = .end,
                            options: FileFollower.Options = FileFollower.Options()) {
        self.init(follower: FileFollower(pattern: spec.path, start: start, options: options),
                  makeParser: LiveSourceCursor.parsers(for: spec, factory: factory))
    }

    /// A parser maker for a configured source: the spec's kind, or the kind detected from each
    /// file's first bytes when the spec does not name it (standard input is PostgreSQL).
    public static func parsers(for spec: SourceSpec, factory: ParserFactory) -> MakeParser {
        { file in
            let detected: SourceKind? = file == "-" ? .postgres
                : (try? ByteSources.sample(path: file)).flatMap { SourceKindDetector.detect(sample: $0) }
            guard let kind = spec.kind ?? detected else {
                throw UnsupportedSource("cannot tell what kind of log this is; name it with --postgres, --audit, --redis or --search")
            }
            return try factory.make(spec: spec, kind: kind, file: file)
        }
    }

    public var state: SourceState { follower.state }

    /// Where reading stands, for the store. Records a parser still holds (under a second's worth)
    /// are not in it: save it after `poll` returned with the source idle-flushed for exactness.
    public func checkpoint() -> FollowerCheckpoint { follower.checkpoint() }

    /// The events parsed from lines that arrived since the last call (at most `maxLines` lines
    /// are read). Never blocks; call it after `FileFollower.wait(for:timeout:)`.
    public func poll(maxLines: Int = 10_000) -> [Event] {
        var events: [Event] = []
        poll(maxLines: maxLines, into: &events)
        return events
    }

    @discardableResult
    public func poll(maxLines: Int = 10_000, into events: inout [Event]) -> Int {
        let now = FileFollower.monotonicNow()
        let read = follower.poll(maxLines: maxLines) { event in
            switch event {
            case .opened(let file, _):
                if let c = follower.files.first(where: { $0.file.serial == file.serial })?.checkpoint { opened.append(c) }
                let slot = Slot(lastLine: now)
                slot.parser = try? makeParser(file.path)
                slot.retryAtFirstLine = slot.parser == nil
                slots[file.serial] = slot
            case .line(let line):
                lines += 1
                guard let slot = slots[line.file.serial] else { return }
                if slot.retryAtFirstLine {
                    slot.retryAtFirstLine = false
                    do {
                        slot.parser = try makeParser(line.file.path)
                    } catch let error as UnsupportedSource {
                        warnings.append("\(line.file.path): \(error.message)")
                    } catch {
                        warnings.append("\(line.file.path): \(error)")
                    }
                }
                guard slot.parser != nil else { return }
                let before = events.count
                if line.truncated {
                    // Counted, not parsed: see SourceCursor.
                    events.append(.unparsed(.cut(file: line.file.path, line: line.number, length: line.bytes.count)))
                    slot.parser!.lineCut(head: line.bytes, lineNumber: line.number, into: &events)
                } else {
                    slot.parser!.feed(line: line.bytes, lineNumber: line.number, into: &events)
                }
                noteTimes(events[before...], serial: line.file.serial)
                slot.lastLine = now
                slot.flushed = false
            case .closed(let file):
                latest.removeValue(forKey: file.serial)
                if let slot = slots.removeValue(forKey: file.serial) { slot.parser?.finish(into: &events) }
            }
        }
        for serial in slots.keys.sorted() {
            guard let slot = slots[serial], !slot.flushed, now - slot.lastLine >= idleFlushSeconds else { continue }
            let before = events.count
            slot.parser?.flushIdle(into: &events)
            noteTimes(events[before...], serial: serial)
            slot.flushed = true
        }
        return read
    }

    private func noteTimes(_ new: ArraySlice<Event>, serial: Int) {
        for event in new {
            if let t = event.time?.microseconds, t > latest[serial] ?? .min { latest[serial] = t }
        }
    }

    /// The checkpoints of the files opened since the last call, at the offset they were first
    /// read from: the oldest point a restart may need to go back to.
    public func takeOpened() -> [SourceCheckpoint] {
        defer { opened.removeAll() }
        return opened
    }

    /// Each open file's checkpoint with the newest log time its lines have produced so far
    /// (nil before the first timed event). A parser may still hold its last few records, which
    /// are no more than a couple of seconds of log time newer.
    public func positions() -> [(checkpoint: SourceCheckpoint, latest: Int64?)] {
        follower.files.map { ($0.checkpoint, latest[$0.file.serial]) }
    }

    /// The log time before which this source will hand out nothing more, as far as can be told:
    /// a file that had lines within `quietAfter` seconds (wall time) or whose parser still holds
    /// records may yet produce events a little older than its newest (`margin`). nil: no such file.
    public func unsettledTime(quietAfter: Double, margin: Int64) -> Int64? {
        let now = FileFollower.monotonicNow()
        var oldest: Int64?
        for (serial, slot) in slots where !slot.flushed || now - slot.lastLine < quietAfter {
            guard let t = latest[serial] else { continue }
            oldest = min(oldest ?? .max, t &- margin)
        }
        return oldest
    }

    /// Shutting down: every held record is emitted.
    public func finish(into events: inout [Event]) {
        for serial in slots.keys.sorted() { slots[serial]?.parser?.finish(into: &events) }
        slots.removeAll()
    }
}
