#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `LineReader` gets its bytes: a plain descriptor or a decompressor in front of one.
///
/// Splitting lines is the same work whatever the bytes come from, so the reader takes any source
/// and `.gz` archives are read exactly like plain logs (same line numbers, same long-line rule).
public protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes into `buffer`. Returns 0 when nothing is available now: the end
    /// of the file as it is (a followed file may grow later) or, on a non-blocking descriptor,
    /// no data yet. Throws on a read error or corrupt compressed data.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int
}

/// A plain file, pipe or terminal read with `read(2)`.
public final class FileDescriptorByteSource: ByteSource {
    public let fileDescriptor: Int32
    /// Closed on deinit when true; standard input and caller-owned descriptors are left open.
    public let ownsDescriptor: Bool
    /// The last read found a non-blocking descriptor empty (`EAGAIN`): more may come. Standard
    /// input uses it to tell "nothing yet" from "the writer closed the pipe".
    public private(set) var lastReadWouldBlock = false
    /// The last read returned end of file.
    public private(set) var lastReadWasEndOfFile = false

    public init(fileDescriptor: Int32, ownsDescriptor: Bool) {
        self.fileDescriptor = fileDescriptor
        self.ownsDescriptor = ownsDescriptor
    }

    deinit {
        if ownsDescriptor && fileDescriptor >= 0 { _ = close(fileDescriptor) }
    }

    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            let n = Glibc.read(fileDescriptor, buffer, count)
            if n >= 0 {
                lastReadWouldBlock = false
                lastReadWasEndOfFile = n == 0
                return n
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                lastReadWouldBlock = true
                lastReadWasEndOfFile = false
                return 0
            }
            throw SourceError.readFailed(errno: errno)
        }
    }
}

/// Opens archived or current log files for reading, whatever their compression.
public enum ByteSources {
    /// Opens `path` (`-` is standard input) and puts a gzip decompressor in front of it when its
    /// first two bytes are the gzip magic `1f 8b`. Detection is by content, never by name: a
    /// rotated `postgresql.log.1` may be compressed and a `.gz` may be plain text.
    public static func open(path: String) throws -> ByteSource {
        if path == "-" { return FileDescriptorByteSource(fileDescriptor: 0, ownsDescriptor: false) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SourceError.cannotOpen(path: path, errno: errno) }
        let plain = FileDescriptorByteSource(fileDescriptor: fd, ownsDescriptor: true)
        return isGzip(fileDescriptor: fd) ? try GzipByteSource(input: plain, path: path) : plain
    }

    /// True when the file starts with the gzip magic (read with `pread`, the position is kept).
    public static func isGzip(fileDescriptor fd: Int32) -> Bool {
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
        return n == 2 && magic.0 == 0x1F && magic.1 == 0x8B
    }

    /// Up to `count` bytes from the start of the (decompressed) content, for detecting a source's
    /// kind; opens its own descriptor so the reader's position is untouched.
    public static func sample(path: String, count: Int = 65_536) throws -> [UInt8] {
        let source = try open(path: path)
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        try out.withUnsafeMutableBytes { raw in
            while filled < count {
                let n = try source.read(into: raw.baseAddress! + filled, count: count - filled)
                if n == 0 { break }
                filled += n
            }
        }
        return Array(out.prefix(filled))
    }
}
