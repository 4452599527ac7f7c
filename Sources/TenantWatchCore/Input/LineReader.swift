#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a file descriptor into lines without building a `String` per line.
///
/// Lines are handed out as borrowed byte buffers (valid only during the callback), so a parser
/// that ignores a line costs nothing but a `memchr`. A final line without a newline is still a
/// line: nothing at the end of an archived file is lost.
public struct LineReader {
    public static let defaultChunkSize = 1 << 20
    /// 4 MB: far above any real log line (a JWT is a few KB, PostgreSQL statements rarely reach a
    /// megabyte), and a hostile 10 MB or 1 GB line costs at most this much memory and parsing.
    public static let defaultMaximumLineLength = 4 << 20

    /// Longest line kept whole; longer lines are delivered cut at this size and flagged, so one
    /// hostile 1 GB line cannot exhaust memory.
    public var maximumLineLength: Int

    /// Following mode (`FileFollower`): at the current end of the input a line without its
    /// newline is held back, not delivered, and `nextLine()` returns nil without ending the
    /// stream, so a later call sees what the writer appended. `takePartialLine()` hands out the
    /// held bytes when the file is rotated away and its last line will never be completed.
    public var holdsPartialLine = false

    public let source: ByteSource
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    public private(set) var lineNumber = 0
    /// Bytes taken from the source so far (decompressed bytes for a `.gz`).
    public private(set) var bytesRead: Int64 = 0

    /// Reads a caller-owned descriptor (it is not closed).
    public init(fileDescriptor: Int32, chunkSize: Int = LineReader.defaultChunkSize,
                maximumLineLength: Int = LineReader.defaultMaximumLineLength) {
        self.init(source: FileDescriptorByteSource(fileDescriptor: fileDescriptor, ownsDescriptor: false),
                  chunkSize: chunkSize, maximumLineLength: maximumLineLength)
    }

    /// Reads any byte source. `lineNumber` is the number of lines before the source's first byte
    /// (a follower resuming from a checkpoint continues the file's numbering).
    public init(source: ByteSource, chunkSize: Int = LineReader.defaultChunkSize,
                maximumLineLength: Int = LineReader.defaultMaximumLineLength, lineNumber: Int = 0) {
        self.source = source
        self.capacity = max(chunkSize, 4096)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        self.maximumLineLength = maximumLineLength
        self.lineNumber = lineNumber
    }

    /// Bytes read from the source but not yet delivered as a line (a held partial line).
    public var pendingByteCount: Int { end - start }

    /// Bytes of the source delivered as complete lines: where a resumed reader starts.
    public var consumedByteCount: Int64 { bytesRead - Int64(end - start) }

    /// Frees the buffer; the descriptor stays owned by the caller.
    public mutating func close() {
        buffer.deallocate()
        capacity = 0
    }

    /// One line read by `nextLine()`: valid only until the next call.
    public struct Line {
        public var bytes: UnsafeBufferPointer<UInt8>
        public var number: Int
        /// The line was longer than `maximumLineLength`; only its head is delivered.
        public var truncated: Bool
    }

    private var skippingRestOfLongLine = false

    /// Pull interface: the next line, or nil at end of file. Lets several sources be read in
    /// step, merged by time, instead of one after the other.
    public mutating func nextLine() throws -> Line? {
        while true {
            while start < end {
                let base = buffer.advanced(by: start)
                let count = end - start
                guard let hit = memchr(base, 0x0A, count) else { break }
                let length = base.distance(to: hit)
                start += length + 1
                if skippingRestOfLongLine {
                    skippingRestOfLongLine = false
                    continue
                }
                lineNumber += 1
                return Line(bytes: trimmed(base, length), number: lineNumber, truncated: false)
            }
            if eof {
                guard start < end, !holdsPartialLine else { eof = false; return nil }
                let base = buffer.advanced(by: start)
                let length = end - start
                start = end
                if skippingRestOfLongLine { return nil }
                lineNumber += 1
                return Line(bytes: trimmed(base, length), number: lineNumber, truncated: false)
            }
            // Make room: move the partial line to the front, grow if one line fills the buffer.
            if start > 0 {
                if end > start { memmove(buffer, buffer.advanced(by: start), end - start) }
                end -= start
                start = 0
            }
            if end == capacity {
                if capacity >= maximumLineLength {
                    // Deliver the head of an over-long line, flagged, and drop the rest of it.
                    let wasSkipping = skippingRestOfLongLine
                    skippingRestOfLongLine = true
                    let length = end
                    end = 0
                    if !wasSkipping {
                        lineNumber += 1
                        return Line(bytes: UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: length),
                                    number: lineNumber, truncated: true)
                    }
                } else {
                    let newCapacity = min(capacity * 2, maximumLineLength)
                    let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                    grown.copyMemory(from: buffer, byteCount: end)
                    buffer.deallocate()
                    buffer = grown
                    capacity = newCapacity
                }
            }
            let n = try source.read(into: buffer.advanced(by: end), count: capacity - end)
            if n == 0 { eof = true } else { end += n; bytesRead += Int64(n) }
        }
    }

    /// The held partial line (following mode), delivered as a line; nil when none is held.
    /// Called when a file is rotated away or truncated: its last line will not be completed.
    public mutating func takePartialLine() -> Line? {
        guard start < end else { return nil }
        let base = buffer.advanced(by: start)
        let length = end - start
        start = end
        eof = false
        if skippingRestOfLongLine { skippingRestOfLongLine = false; return nil }
        lineNumber += 1
        return Line(bytes: trimmed(base, length), number: lineNumber, truncated: false)
    }

    /// Reads to end of file, calling `body(line, lineNumber, truncated)` for each line (without
    /// its `\n` and a trailing `\r`). Returns the number of lines.
    @discardableResult
    public mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws -> Void) throws -> Int {
        while let line = try nextLine() {
            try body(line.bytes, line.number, line.truncated)
        }
        return lineNumber
    }

    private func trimmed(_ base: UnsafeMutableRawPointer, _ length: Int) -> UnsafeBufferPointer<UInt8> {
        var n = length
        let p = base.assumingMemoryBound(to: UInt8.self)
        if n > 0 && p[n - 1] == 0x0D { n -= 1 }
        return UnsafeBufferPointer(start: p, count: n)
    }
}

public enum SourceError: Error, CustomStringConvertible {
    case readFailed(errno: Int32)
    case cannotOpen(path: String, errno: Int32)
    case noMatch(pattern: String)
    /// A `.gz` that zlib rejects or that ends mid-member; other sources keep going.
    case corruptCompressedData(path: String, reason: String)

    public var description: String {
        switch self {
        case .readFailed(let e): return "read failed: \(String(cString: strerror(e)))"
        case .cannotOpen(let path, let e): return "\(path): \(String(cString: strerror(e)))"
        case .noMatch(let pattern): return "\(pattern): no such file"
        case .corruptCompressedData(let path, let reason): return "\(path): corrupt gzip data: \(reason)"
        }
    }
}
