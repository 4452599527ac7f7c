#if canImport(Glibc)
import Glibc
import TenantWatchModel
#elseif canImport(Darwin)
import Darwin
#endif

/// Where reading of one file stopped, precisely enough to continue after a restart with no line
/// read twice and none skipped. The store persists it next to the findings it produced.
///
/// A path alone is not an identity (logrotate gives the name to a new file); an inode alone is
/// not either (copytruncate keeps the inode, inodes are reused). Device + inode + a hash of the
/// first bytes together are.
public struct SourceCheckpoint: Codable, Hashable, Sendable {
    /// The path the file was opened at (for a glob, the matching file).
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    /// Bytes of the file delivered as complete lines: the first byte not yet delivered.
    public var offset: Int64
    /// Lines delivered so far (the next line is `lineNumber + 1`).
    public var lineNumber: Int
    /// FNV-1a 64 of the first `headLength` bytes.
    public var headHash: UInt64
    /// Up to `FileHead.length`; fewer while the file is shorter.
    public var headLength: Int
    /// When the store last saved it.
    public var updatedAt: Timestamp?
    /// `live` resumes a correlation window behind where it read (see `CheckpointHistory`): where
    /// reading itself stood then, for lag figures and for `scan --store` (nil: `offset`).
    public var readOffset: Int64?
    public var readLine: Int?
    /// Log time (microseconds) before which every event was judged and its findings stored when
    /// this was saved: on resuming, sightings older than it only rebuild context (nil: none).
    public var settledBefore: Int64?

    public init(path: String, device: UInt64, inode: UInt64, offset: Int64, lineNumber: Int,
                headHash: UInt64, headLength: Int, updatedAt: Timestamp? = nil) {
        self.path = path
        self.device = device
        self.inode = inode
        self.offset = offset
        self.lineNumber = lineNumber
        self.headHash = headHash
        self.headLength = headLength
        self.updatedAt = updatedAt
    }

    public var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

    /// A checkpoint for `path` read up to `offset` bytes / `lineNumber` lines; nil when it cannot
    /// be stat'ed (standard input, a vanished file).
    public static func capture(path: String, offset: Int64, lineNumber: Int) -> SourceCheckpoint? {
        guard path != "-" else { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let head = FileHead.hash(fileDescriptor: fd, length: Int(min(offset, Int64(FileHead.length))))
        return SourceCheckpoint(path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: offset,
                                lineNumber: lineNumber, headHash: head.hash, headLength: head.length)
    }

    /// True when `path` is still the file this checkpoint was taken of, and at least as long:
    /// reading can resume at `offset`.
    public func isResumable() -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, UInt64(st.st_dev) == device, UInt64(st.st_ino) == inode,
              Int64(st.st_size) >= offset else { return false }
        let head = FileHead.hash(fileDescriptor: fd, length: headLength)
        return head.length == headLength && head.hash == headHash
    }
}

/// Everything a `FileFollower` needs to resume: one checkpoint per open file of its pattern, and
/// when the pattern was last scanned, so files that appeared after it are read from their start.
public struct FollowerCheckpoint: Codable, Hashable, Sendable {
    public var pattern: String
    public var files: [SourceCheckpoint]
    /// Wall-clock seconds since the epoch of the last scan of the pattern.
    public var scannedAt: Double

    public init(pattern: String, files: [SourceCheckpoint], scannedAt: Double) {
        self.pattern = pattern
        self.files = files
        self.scannedAt = scannedAt
    }
}

/// A file as the kernel knows it, whatever its name.
public struct FileIdentity: Hashable, Codable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ st: stat) {
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

/// The first bytes of a file, hashed: a copytruncate that was refilled past our offset between
/// two looks changes them, a file that merely grew does not.
public enum FileHead {
    public static let length = 1024

    /// Hash of the first `min(length, size)` bytes read with `pread` (the position is kept).
    /// Returns the hash and how many bytes it covers.
    public static func hash(fileDescriptor fd: Int32, length: Int = FileHead.length) -> (hash: UInt64, length: Int) {
        var bytes = [UInt8](repeating: 0, count: length)
        var filled = 0
        bytes.withUnsafeMutableBytes { raw in
            while filled < length {
                let n = pread(fd, raw.baseAddress! + filled, length - filled, off_t(filled))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                filled += n
            }
        }
        return (fnv1a(bytes.prefix(filled)), filled)
    }

    public static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }
}
