import TenantWatchModel

/// What every source format offers the pipeline: borrowed line bytes in, events out.
///
/// One parser instance reads one source, single-threaded. A line that is not understood becomes
/// `.unparsed` with its position; a parser never throws and never stops the stream. A parser may
/// hold a record back until it knows it is complete (a PostgreSQL `DETAIL:` line follows its
/// message), so `finish` flushes what is pending at end of input.
public protocol LogParser {
    /// Handles one physical line (without its newline). `line` is only valid during the call.
    mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event])
    /// The source ended: emit whatever is still buffered.
    mutating func finish(into events: inout [Event])
    /// A followed source has been quiet for about a second of wall time: emit records held back
    /// for a continuation line that, this late, will not come. Unlike `finish`, reading goes on.
    mutating func flushIdle(into events: inout [Event])
    /// The line reader cut an over-long line (counted as unparsed by the caller) and hands none
    /// of it over: a record it belonged to cannot be completed, so complete or abandon the one in
    /// progress, and do not read the lines after the cut as part of it.
    mutating func lineCut(lineNumber: Int, into events: inout [Event])
    /// The precision of this source's times and how late its events may come (see `MergeOrder`).
    var mergeOrder: MergeOrder { get }
    /// As `lineCut`, with the head of the line that was read: a parser that can tell what the
    /// head belongs to (a PostgreSQL statement) reports it as cut instead of losing it.
    mutating func lineCut(head: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event])
}

extension LogParser {
    /// Parsers that never hold a record back have nothing to flush.
    public mutating func flushIdle(into events: inout [Event]) {}
    /// Parsers that read a line at a time lose nothing but the cut line.
    public mutating func lineCut(lineNumber: Int, into events: inout [Event]) {}
    /// Microsecond times, in the source's own order (Redis MONITOR).
    public var mergeOrder: MergeOrder { MergeOrder() }
    public mutating func lineCut(head: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        lineCut(lineNumber: lineNumber, into: &events)
    }
}
