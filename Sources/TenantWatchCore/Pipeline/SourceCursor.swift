#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DequeModule

/// One open source file read a few events at a time, so several sources can be merged in
/// time order without loading any of them whole.
final class SourceCursor {
    let file: String
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

    /// Reads `source` (plain or gzip, see `ByteSources.open`); the source closes its descriptor.
    init(file: String, source: ByteSource, parser: LogParser, chunkSize: Int = LineReader.defaultChunkSize) {
        self.file = file
        self.reader = LineReader(source: source, chunkSize: chunkSize)
        self.parser = parser
    }

    deinit {
        reader.close()
    }

    /// The next event without consuming it; nil at the end of the source.
    func peek() throws -> Event? {
        while queue.isEmpty && !finished { try fill() }
        return queue.first
    }

    func next() throws -> Event? {
        while queue.isEmpty && !finished { try fill() }
        return queue.popFirst()
    }

    private func fill() throws {
        // A batch of lines per refill keeps the per-event cost of the merge low.
        var budget = 256
        while budget > 0 {
            let next: LineReader.Line?
            do {
                next = try reader.nextLine()
            } catch let error as SourceError {
                guard case .corruptCompressedData = error else { throw error }
                // The lines before the damage stand; the damage is reported, not fatal.
                failure = error.description
                parser.finish(into: &scratch)
                finished = true
                break
            }
            guard let line = next else {
                parser.finish(into: &scratch)
                finished = true
                lines = reader.lineNumber
                break
            }
            budget -= 1
            if line.truncated {
                scratch.append(.unparsed(UnparsedLine(position: SourcePosition(file: file, line: line.number),
                                                      reason: "line longer than \(line.bytes.count) bytes, cut")))
            }
            parser.feed(line: line.bytes, lineNumber: line.number, into: &scratch)
            if !scratch.isEmpty && budget < 192 { break }
        }
        if !scratch.isEmpty {
            queue.append(contentsOf: scratch)
            scratch.removeAll(keepingCapacity: true)
        }
        lines = reader.lineNumber
    }
}
