#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far a source file has been read and recorded: a restart resumes here.
///
/// The file is identified by device and inode (a rotated file gets a new one) and by a hash of
/// its first `min(offset, headLength)` bytes (a file truncated and rewritten in place keeps its
/// inode but not its head).
public struct SourceCheckpoint: Sendable, Equatable, Hashable {
    /// Bytes of the file's head that `headHash` covers (fewer when the file was shorter).
    public static let headLength = 1024

    public var path: String
    public var device: UInt64
    public var inode: UInt64
    /// Bytes read and recorded: the next read starts here.
    public var offset: Int64
    /// Physical lines read and recorded: the next line is `line + 1`.
    public var line: Int
    /// FNV-1a 64 of the first `min(offset, headLength)` bytes, 16 hex digits.
    public var headHash: String
    public var updatedAt: Timestamp?

    public init(path: String, device: UInt64, inode: UInt64, offset: Int64, line: Int,
                headHash: String, updatedAt: Timestamp? = nil) {
        self.path = path
        self.device = device
        self.inode = inode
        self.offset = offset
        self.line = line
        self.headHash = headHash
        self.updatedAt = updatedAt
    }

    /// A checkpoint for `path` read up to `offset` bytes / `line` lines; nil when it cannot be
    /// stat'ed (standard input, a vanished file).
    public static func capture(path: String, offset: Int64, line: Int) -> SourceCheckpoint? {
        guard path != "-", let (dev, ino) = identity(path) else { return nil }
        guard let hash = headHash(path: path, length: Int(min(offset, Int64(headLength)))) else { return nil }
        return SourceCheckpoint(path: path, device: dev, inode: ino, offset: offset, line: line, headHash: hash)
    }

    /// True when `path` is still the file this checkpoint was taken of, and at least as long:
    /// reading can resume at `offset`.
    public func isResumable() -> Bool {
        guard let (dev, ino) = SourceCheckpoint.identity(path), dev == device, ino == inode else { return false }
        var st = stat()
        guard stat(path, &st) == 0, Int64(st.st_size) >= offset else { return false }
        return SourceCheckpoint.headHash(path: path, length: Int(min(offset, Int64(SourceCheckpoint.headLength)))) == headHash
    }

    static func identity(_ path: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    static func headHash(path: String, length: Int) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: max(length, 0))
        var got = 0
        while got < length {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, length - got, off_t(got)) }
            if n <= 0 { break }
            got += n
        }
        return fnv1a64(bytes.prefix(got))
    }

    static func fnv1a64<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
