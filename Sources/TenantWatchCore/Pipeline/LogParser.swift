/// What every source format offers the pipeline: bytes in, events out.
///
/// A parser may hold a record back until it knows it is complete (a PostgreSQL `DETAIL:` line
/// follows its message), so `finish` flushes what is pending at end of input.
public protocol LogParser {
    mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event])
    mutating func finish(into events: inout [Event])
}
