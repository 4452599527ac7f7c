import TenantWatchModel

/// Reads PostgreSQL logs that went through syslog (`log_destination = 'syslog'`: rsyslog or
/// syslog-ng files, `journalctl` output) or Heroku's logplex: the header is taken off
/// (`SyslogHeader`), the chunks PostgreSQL split a message into are put back together, and the
/// lines that result are read by the stderr reader with the server's `log_line_prefix`.
///
/// Chunks (`[N-1]`, `[N-2]` ... of one process): PostgreSQL splits a message at every newline
/// (the next chunk then starts with the TAB of a continuation line, or with the prefix of a
/// `DETAIL:`/`STATEMENT:` line) and, inside a line longer than 900 bytes, before a space (the
/// next chunk starts with that space) or, in a word longer than that, anywhere (the chunk
/// before it is then a full 900 bytes less at most a cut character). A message's chunks are held
/// until that process writes another message, then handed over in order, so that continuation
/// lines follow their record even when other processes' lines came between.
///
/// The header's pid (and RFC 3339 time) stand in when the prefix has none: with the common
/// syslog prefix `''` (syslog already writes time and pid) records still belong to a backend.
struct SyslogLogReader {
    let file: String
    var stderr: StderrLogReader
    private var timestamps: PostgresTimestampParser

    /// One process's message still open: its physical lines so far.
    private struct Open {
        var sequence: Int
        var lines: [(bytes: [UInt8], line: Int)]
        var lastChunkLength: Int
        var pid: Int?
        var time: Timestamp?
        var firstLine: Int
        var bytes: Int
    }
    /// A message held longer than this (hostile or broken input: chunk after chunk of one
    /// message) is handed over as it stands; the rest of its chunks are read on their own.
    static let maximumHeldBytes = 4 << 20
    static let maximumHeldLines = 10_000
    /// Open messages by process: the header's pid, or a hash of `ident[...]` when it has none
    /// (Heroku's `app[postgres.1234]`). A key, not the bytes: one allocation fewer a line.
    private var open: [Int: Open] = [:]
    /// PostgreSQL's `PG_SYSLOG_LIMIT`: chunks are at most this long.
    static let chunkLimit = 900
    private(set) var sawLogplex = false
    private(set) var headers = 0

    init(prefix: String?, timezone: String, file: String) {
        self.file = file
        self.stderr = StderrLogReader(prefix: prefix, timezone: timezone, file: file)
        self.timestamps = PostgresTimestampParser(timezone: timezone)
    }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        var end = b.count
        if end > 0, b[end - 1] == Bytes.cr { end -= 1 }
        guard end > 0 else { return }
        // journalctl's own markers (`-- Boot 3f2a... --`, `-- No entries --`): not log lines.
        if end >= 3, b[0] == Bytes.dash, b[1] == Bytes.dash, b[2] == Bytes.space { return }
        guard let h = SyslogHeader.parse(b, end, timestamps: &timestamps) else {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n),
                                      reason: "not a syslog line (no `Mmm dd hh:mm:ss` or RFC 3339 time, `ident[pid]: ` header)"))
            return
        }
        headers += 1
        if h.logplex { sawLogplex = true }
        let body = UnsafeBufferPointer(rebasing: b[h.bodyStart..<end])
        let stream = h.pid ?? Self.streamKey(b, h.streamStart, h.streamEnd)
        guard let seq = h.sequence, let chunk = h.chunk else {
            // A whole message: whatever the process still had open is complete.
            if !open.isEmpty { close(stream, into: &out) }
            handOver(body, line: n, pid: h.pid, time: h.time, into: &out)
            return
        }
        if chunk > 1, let i = open.index(forKey: stream), open.values[i].sequence == seq,
           open.values[i].bytes + body.count <= Self.maximumHeldBytes, open.values[i].lines.count < Self.maximumHeldLines {
            // In place: a copy of the held message out of the table and back would copy its lines.
            let midLine = body.first == Bytes.space
                || (body.first != Bytes.tab && open.values[i].lastChunkLength >= Self.chunkLimit - 3)
            if midLine {
                open.values[i].lines[open.values[i].lines.count - 1].bytes.append(contentsOf: body)
            } else {
                open.values[i].lines.append((Array(body), n))
            }
            open.values[i].lastChunkLength = body.count
            open.values[i].bytes += body.count
            return
        }
        close(stream, into: &out)
        if chunk > 1 {
            // Its first chunks were before this file began (rotation): read what there is.
            handOver(body, line: n, pid: h.pid, time: h.time, into: &out)
            return
        }
        if open.count > 10_000 { closeAll(into: &out) }
        open[stream] = Open(sequence: seq, lines: [(Array(body), n)], lastChunkLength: body.count, pid: h.pid,
                            time: h.time, firstLine: n, bytes: body.count)
    }

    private mutating func handOver(_ body: UnsafeBufferPointer<UInt8>, line n: Int, pid: Int?, time: Timestamp?,
                                   into out: inout PostgresReaderSink) {
        stderr.envelopePID = pid
        stderr.envelopeTime = time
        stderr.feed(body, lineNumber: n, into: &out)
    }

    /// FNV-1a of `ident[...]`, kept clear of small numbers (pids).
    private static func streamKey(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in s..<e { h = (h ^ UInt64(b[i])) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h | (1 << 62))
    }

    private mutating func close(_ stream: Int, into out: inout PostgresReaderSink) {
        guard let o = open.removeValue(forKey: stream) else { return }
        hand(o, into: &out)
    }

    private mutating func hand(_ o: Open, into out: inout PostgresReaderSink) {
        for (bytes, line) in o.lines {
            bytes.withUnsafeBufferPointer { handOver($0, line: line, pid: o.pid, time: o.time, into: &out) }
        }
    }

    /// Every open message, in the order they began.
    mutating func closeAll(into out: inout PostgresReaderSink) {
        let all = open.values.sorted { $0.firstLine < $1.firstLine }
        open.removeAll(keepingCapacity: true)
        for o in all { hand(o, into: &out) }
    }

    mutating func finish(into out: inout PostgresReaderSink) {
        closeAll(into: &out)
        stderr.finish(into: &out)
    }

    mutating func flush(olderThan seconds: Double, into out: inout PostgresReaderSink) {
        closeAll(into: &out)
        stderr.flush(olderThan: seconds, into: &out)
    }
}
