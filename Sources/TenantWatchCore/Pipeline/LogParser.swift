/// A format reader: borrowed line bytes in, events out.
///
/// One parser instance reads one source, single-threaded. A line that is not understood becomes
/// `.unparsed` with its position; a parser never throws and never stops the stream.
public protocol LogParser {
    /// Handles one physical line (without its newline). `line` is only valid during the call.
    mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event])
    /// The source ended: emit whatever is still buffered.
    mutating func finish(into events: inout [Event])
}
