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

    /// Longest line kept whole; longer lines are delivered cut at this size and flagged, so one
    /// hostile 1 GB line cannot exhaust memory.
    public var maximumLineLength: Int

    private let fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var eof = false
    public private(set) var lineNumber = 0
    public private(set) var bytesRead: Int64 = 0

    public init(fileDescriptor: Int32, chunkSize: Int = LineReader.defaultChunkSize,
                maximumLineLength: Int = 64 << 20) {
        self.fd = fileDescriptor
        self.capacity = max(chunkSize, 4096)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        self.maximumLineLength = maximumLineLength
    }

    /// Frees the buffer; the descriptor stays owned by the caller.
    public mutating func close() {
        buffer.deallocate()
        capacity = 0
    }

    /// Reads to end of file, calling `body(line, lineNumber, truncated)` for each line (without
    /// its `\n` and a trailing `\r`). Returns the number of lines.
    @discardableResult
    public mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws -> Void) throws -> Int {
        var skippingRestOfLongLine = false
        while true {
            // Deliver every complete line in the buffer.
            while start < end {
                let base = buffer.advanced(by: start)
                let count = end - start
                if let hit = memchr(base, 0x0A, count) {
                    let length = base.distance(to: hit)
                    if skippingRestOfLongLine {
                        skippingRestOfLongLine = false
                    } else {
                        lineNumber += 1
                        try body(trimmed(base, length), lineNumber, false)
                    }
                    start += length + 1
                } else {
                    break
                }
            }
            if eof {
                if start < end && !skippingRestOfLongLine {
                    lineNumber += 1
                    try body(trimmed(buffer.advanced(by: start), end - start), lineNumber, false)
                }
                start = end
                return lineNumber
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
                    lineNumber += 1
                    if !skippingRestOfLongLine {
                        try body(UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: end), lineNumber, true)
                    } else {
                        lineNumber -= 1
                    }
                    skippingRestOfLongLine = true
                    end = 0
                } else {
                    let newCapacity = min(capacity * 2, maximumLineLength)
                    let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                    grown.copyMemory(from: buffer, byteCount: end)
                    buffer.deallocate()
                    buffer = grown
                    capacity = newCapacity
                }
            }
            let n = read(fd, buffer.advanced(by: end), capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw SourceError.readFailed(errno: errno)
            }
            if n == 0 { eof = true } else { end += n; bytesRead += Int64(n) }
        }
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

    public var description: String {
        switch self {
        case .readFailed(let e): return "read failed: \(String(cString: strerror(e)))"
        case .cannotOpen(let path, let e): return "\(path): \(String(cString: strerror(e)))"
        case .noMatch(let pattern): return "\(pattern): no such file"
        }
    }
}
