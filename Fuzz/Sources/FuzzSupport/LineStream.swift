import TenantWatchCore

/// Feeds one fuzz input to a parser the way `SourceCursor` does for a file: line by line
/// through `LineReader`, an over-long line flagged and cut, then `finish`.
///
/// Lines are capped at 64 KB here (production: 64 MB) so inputs libFuzzer can reach
/// (`-max_len` 128 KB) also cross the cut-off path.
public enum LineStream {
    public static let maximumLineLength = 64 << 10

    /// Runs `parser` over `data`; returns the events, which the caller may inspect.
    /// `idleEvery`: call `flushIdle` after every that many lines (live tailing), 0 for never.
    @discardableResult
    public static func run<P: LogParser>(_ parser: inout P, _ data: UnsafeBufferPointer<UInt8>,
                                         file: String = "fuzz.log", idleEvery: Int = 0) -> [Event] {
        var reader = LineReader(source: MemoryByteSource(data), chunkSize: 4096,
                                maximumLineLength: maximumLineLength)
        defer { reader.close() }
        var events: [Event] = []
        while let line = try? reader.nextLine() {
            if line.truncated {
                events.append(.unparsed(UnparsedLine(position: SourcePosition(file: file, line: line.number),
                                                      reason: "line longer than \(line.bytes.count) bytes, cut")))
            }
            parser.feed(line: line.bytes, lineNumber: line.number, into: &events)
            if idleEvery > 0, line.number % idleEvery == 0 { parser.flushIdle(into: &events) }
        }
        parser.finish(into: &events)
        Invariants.check(events, lines: reader.lineNumber, file: file)
        return events
    }
}
