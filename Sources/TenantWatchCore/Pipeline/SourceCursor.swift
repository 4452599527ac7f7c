#if canImport(Glibc)
import Glibc
import TenantWatchModel
#elseif canImport(Darwin)
import Darwin
#endif
import DequeModule
import Foundation

/// One open source file read a few events at a time, so several sources can be merged in
/// time order without loading any of them whole.
///
/// With `startPrefetching()` the reading and parsing move to a thread of their own and hand
/// over batches of events through a small bounded queue: on two cores, parsing and correlation
/// then run side by side. The cursor is `@unchecked Sendable` because of that hand-over: once
/// prefetching started, only the reading thread touches the reader and parser, and the caller
/// reads `lines`/`failure`/`bytesRead` only after `next()` returned nil (the end is published
/// under the queue's lock).
final class SourceCursor: @unchecked Sendable {
    let file: String
    /// What the source holds, when the opener knew it (the pipeline wires correlation by it).
    var kind: SourceKind?
    private var reader: LineReader
    private var parser: LogParser
    private var queue: Deque<Event> = []
    private var scratch: [Event] = []
    private var finished = false
    private(set) var lines = 0
    /// Bytes read from the file so far (at the end: its size when read).
    var bytesRead: Int64 { reader.bytesRead }
    /// Why the source stopped early (a corrupt `.gz`): the other sources go on, the run reports it.
    private(set) var failure: String?
    /// How this source's times sort among the others' (taken from its parser when opened).
    let mergeOrder: MergeOrder

    /// Reads `source` (plain or gzip, see `ByteSources.open`); the source closes its descriptor.
    init(file: String, source: ByteSource, parser: LogParser, chunkSize: Int = LineReader.defaultChunkSize) {
        self.file = file
        self.reader = LineReader(source: source, chunkSize: chunkSize)
        self.parser = parser
        self.mergeOrder = parser.mergeOrder
    }

    deinit {
        reader.close()
    }

    /// The next event without consuming it; nil at the end of the source.
    func peek() throws -> Event? {
        if let prefetch { return try prefetchedPeek(prefetch) }
        while queue.isEmpty && !finished { try fill() }
        return queue.first
    }

    func next() throws -> Event? {
        if let prefetch {
            guard try prefetchedReady(prefetch) else { return nil }
            // Moved out of the batch, not copied: a copy would retain (and the batch's end
            // release) every String of the event. The slot keeps the shared placeholder `Event.moved`.
            var event = Event.moved
            swap(&event, &batch[batchIndex])
            batchIndex += 1
            return event
        }
        while queue.isEmpty && !finished { try fill() }
        return queue.popFirst()
    }

    /// What the merge orders by: the next event's time in microseconds (`Int64.min` for an
    /// event without one), nil at the end. Reads the event in place instead of copying it.
    func peekTime() throws -> Int64?? {
        if let prefetch {
            guard try prefetchedReady(prefetch) else { return nil }
            return .some(batch[batchIndex].time?.microseconds)
        }
        while queue.isEmpty && !finished { try fill() }
        guard let first = queue.first else { return nil }
        return .some(first.time?.microseconds)
    }

    // MARK: prefetching

    /// What crosses from the reading thread: events, or (PostgreSQL) records still to be
    /// interpreted — by whichever side gets to them first (see `Handoff`).
    private enum Batch {
        case events([Event])
        case records(Records)
    }

    /// One box of records and, once interpreted, its events. A class, so either thread can take
    /// the sink out (swap) and put the events in while the box stays in the queue.
    private final class Records {
        enum State { case waiting, interpreting, interpreted }
        var sink: PostgresReaderSink
        var events: [Event] = []
        /// Changed under the hand-over's lock only.
        var state = State.waiting
        init(_ sink: PostgresReaderSink) { self.sink = sink }
    }

    /// The queue between the two threads, and the parser that interprets records.
    ///
    /// Interpreting is handed to whichever thread is ahead: normally the consuming one, but when
    /// the queue is full (correlation is the slower half, as with an audit log beside the query
    /// log) the reading thread interprets waiting boxes instead of sleeping. The interpreter keeps
    /// state across records (a statement and its later `duration:` line), so boxes are
    /// interpreted strictly in queue order and by one thread at a time: only the first box still
    /// waiting is ever taken, and only while `interpreterBusy` is false.
    private final class Handoff: @unchecked Sendable {
        let condition = NSCondition()
        var batches: Deque<Batch> = []
        var done = false
        var error: Error?
        /// Batches read ahead: with `batchSize` this bounds a source's memory to ~2 MB.
        let capacity = 4
        /// Used by the thread that set `interpreterBusy` (under the lock), and by no other.
        var interpreter: PostgresLogParser?
        var interpreterBusy = false
        /// Boxes the reading thread interpreted (for the tests and the curious).
        var interpretedByReader = 0

        /// The first box nobody has started on, when every box before it is interpreted or being
        /// interpreted; nil when there is none. Called with the lock held.
        func firstWaiting() -> Records? {
            for batch in batches {
                if case .records(let box) = batch, box.state == .waiting { return box }
            }
            return nil
        }

        /// Interprets `box` on the calling thread into `events`; called with the lock held and
        /// returns with it held, having let go of it while interpreting. `intoBox`: the events
        /// are left in the box (the reading thread's case), before it is marked interpreted.
        func interpret(_ box: Records, into events: inout [Event], intoBox: Bool = false) {
            box.state = .interpreting
            interpreterBusy = true
            condition.unlock()
            var sink = PostgresReaderSink()
            swap(&sink, &box.sink)
            interpreter!.interpret(&sink, into: &events)
            condition.lock()
            if intoBox { swap(&box.events, &events) }
            box.state = .interpreted
            interpreterBusy = false
            condition.broadcast()
        }
    }

    private var prefetch: Handoff?
    private var batch: [Event] = []
    private var batchIndex = 0

    /// How many boxes of records the reading thread interpreted because the consuming side was
    /// behind (0 without prefetching).
    var boxesInterpretedByReader: Int {
        guard let prefetch else { return 0 }
        prefetch.condition.lock()
        defer { prefetch.condition.unlock() }
        return prefetch.interpretedByReader
    }

    /// Reads and parses on a thread of its own from now on.
    ///
    /// A PostgreSQL source is split between the two threads: prefix matching and record assembly
    /// on the reading thread, turning records into events on whichever side has time for it
    /// (see `Handoff`). Reading costs about three times what interpreting does, so this balances
    /// two cores better than parsing wholly on one side.
    func startPrefetching() {
        guard prefetch == nil else { return }
        let handoff = Handoff()
        prefetch = handoff
        handoff.interpreter = parser as? PostgresLogParser
        let thread = Thread { [self] in
            func push(_ batch: Batch) {
                handoff.condition.lock()
                while handoff.batches.count >= handoff.capacity {
                    // The consuming side is behind: interpret the first waiting box for it
                    // rather than sleep (the box stays where it is in the queue).
                    if !handoff.interpreterBusy, let box = handoff.firstWaiting() {
                        var events: [Event] = []
                        handoff.interpret(box, into: &events, intoBox: true)
                        handoff.interpretedByReader += 1
                        continue
                    }
                    handoff.condition.wait()
                }
                handoff.batches.append(batch)
                handoff.condition.broadcast()
                handoff.condition.unlock()
            }
            var failure: Error?
            if var reading = parser as? PostgresLogParser {
                // Anything read before prefetching began goes first.
                if !queue.isEmpty { push(.events(Array(queue))) }
                queue.removeAll()
                var sink = PostgresReaderSink()
                sink.records.reserveCapacity(SourceCursor.recordsPerBox)
                do {
                    while !finished {
                        try fill(reading: &reading, into: &sink)
                        if sink.records.count + sink.unparsed.count >= 1024 {
                            // Swapped into the box, so the box holds the only reference.
                            let box = Records(PostgresReaderSink())
                            swap(&box.sink, &sink)
                            sink.records.reserveCapacity(SourceCursor.recordsPerBox)
                            push(.records(box))
                        }
                    }
                } catch {
                    failure = error
                }
                // An empty last box still goes when it marks the end: the interpreting half then
                // lets go of what it holds (an AUDIT execution waiting for its twin).
                if !sink.records.isEmpty || !sink.unparsed.isEmpty || sink.ended {
                    let box = Records(PostgresReaderSink())
                    swap(&box.sink, &sink)
                    push(.records(box))
                }
            } else {
                var out: [Event] = []
                out.reserveCapacity(2048)
                // Anything read before prefetching began goes first.
                out.append(contentsOf: queue)
                queue.removeAll()
                do {
                    while !finished {
                        // Parsed straight into the outgoing batch: each event is copied once.
                        try fill(into: &out)
                        if out.count >= 2048 {
                            push(.events(out))
                            out = []
                            out.reserveCapacity(2048)
                        }
                    }
                } catch {
                    failure = error
                }
                if !out.isEmpty { push(.events(out)) }
            }
            handoff.condition.lock()
            handoff.error = failure
            handoff.done = true
            handoff.condition.broadcast()
            handoff.condition.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func prefetchedPeek(_ handoff: Handoff) throws -> Event? {
        try prefetchedReady(handoff) ? batch[batchIndex] : nil
    }

    /// Makes `batch[batchIndex]` the next event, waiting for the reading thread; false at the end.
    private func prefetchedReady(_ handoff: Handoff) throws -> Bool {
        while batchIndex >= batch.count {
            handoff.condition.lock()
            while handoff.batches.isEmpty && !handoff.done { handoff.condition.wait() }
            guard let next = handoff.batches.popFirst() else {
                let error = handoff.error
                handoff.condition.unlock()
                if let error { throw error }
                return false
            }
            handoff.condition.broadcast()
            batchIndex = 0
            switch next {
            case .events(let events):
                handoff.condition.unlock()
                batch = events
            case .records(let box):
                // Being interpreted by the reading thread: wait for it. Not started: interpret it
                // here (the interpreter is free once every box before it is done). A batch of
                // records may yield no event.
                while box.state == .interpreting || (box.state == .waiting && handoff.interpreterBusy) {
                    handoff.condition.wait()
                }
                if box.state == .waiting {
                    batch.removeAll(keepingCapacity: true)
                    handoff.interpret(box, into: &batch)
                } else {
                    swap(&batch, &box.events)
                }
                handoff.condition.unlock()
            }
        }
        return true
    }

    private func fill() throws {
        try fill(into: &scratch)
        if !scratch.isEmpty {
            queue.append(contentsOf: scratch)
            scratch.removeAll(keepingCapacity: true)
        }
    }

    /// Room for the records of one box: it is handed over once it holds 1,024 records or
    /// unreadable lines, checked after each `fill` (up to 256 lines, plus the records an
    /// auto-flush completes). With room for only 1,100, a third of the boxes grew, copying
    /// every record in them once more.
    static let recordsPerBox = 1024 + 256 + 256

    /// The next line, or nil at the end of the input or at damage in a compressed file: the
    /// lines before the damage stand, and the damage is reported (`failure`), not fatal.
    private func nextLineOrEnd() throws -> LineReader.Line? {
        do {
            return try reader.nextLine()
        } catch let error as SourceError {
            guard case .corruptCompressedData = error else { throw error }
            failure = error.description
            return nil
        }
    }

    /// The reading half of `fill` for a PostgreSQL source: records, not events, into `sink`.
    private func fill(reading parser: inout PostgresLogParser, into sink: inout PostgresReaderSink) throws {
        var budget = 256
        while budget > 0 {
            guard let line = try nextLineOrEnd() else {
                parser.readFinish(into: &sink)
                finished = true
                break
            }
            budget -= 1
            if line.truncated {
                // Counted, not parsed: see `fill(into:)`.
                sink.unparsed(.cut(file: file, line: line.number, length: line.bytes.count))
                parser.readLineCut(lineNumber: line.number, head: line.bytes, into: &sink)
            } else {
                parser.read(line: line.bytes, lineNumber: line.number, into: &sink)
            }
        }
        lines = reader.lineNumber
    }

    /// Reads a slice of lines and appends the events they complete to `events`.
    private func fill(into events: inout [Event]) throws {
        // A batch of lines per refill keeps the per-event cost of the merge low.
        var budget = 256
        while budget > 0 {
            guard let line = try nextLineOrEnd() else {
                parser.finish(into: &events)
                finished = true
                break
            }
            budget -= 1
            if line.truncated {
                // Only the head of it was read: counted, and not parsed (a cut quote or record
                // would run on into the good lines after it).
                events.append(.unparsed(.cut(file: file, line: line.number, length: line.bytes.count)))
                parser.lineCut(head: line.bytes, lineNumber: line.number, into: &events)
            } else {
                parser.feed(line: line.bytes, lineNumber: line.number, into: &events)
            }
            if !events.isEmpty && budget < 192 { break }
        }
        lines = reader.lineNumber
    }
}

extension Event {
    /// What a batch slot holds once its event was moved out. One shared value: the unparsed
    /// case is boxed (`indirect`), so making a fresh one per event would allocate; sharing it
    /// costs a retain and a release.
    static let moved: Event = .unparsed(UnparsedLine(position: SourcePosition(file: "", line: 0), reason: ""))
}
