#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open file inside a `FileFollower`: its descriptor, identity, reader and where reading
/// started, so its checkpoint is exact however the file is renamed or truncated under it.
final class FollowedFileHandle {
    var file: FollowedFile
    /// Where the file is now (a rename inside the glob changes it; `file.path` keeps the name
    /// lines are reported under).
    var currentPath: String
    let identity: FileIdentity
    let input: FileDescriptorByteSource
    var reader: LineReader
    /// File offset of the reader's first byte.
    var baseOffset: Int64
    var head: (hash: UInt64, length: Int)
    /// Monotonic time it was found renamed away or deleted; nil while it is at its path.
    var retiredAt: Double?
    /// Monotonic time bytes last arrived (a rotated-away file is closed after a quiet spell).
    var lastGrowth: Double
    var readError: String?
    /// The last poll's line budget ran out in this file: complete lines wait in the buffer.
    var behind = false

    var fileDescriptor: Int32 { input.fileDescriptor }
    /// Where the next `read(2)` reads from.
    var readPosition: Int64 { baseOffset + reader.bytesRead }
    /// The first byte not yet delivered as a complete line.
    var deliveredOffset: Int64 { baseOffset + reader.consumedByteCount }

    init(file: FollowedFile, identity: FileIdentity, input: FileDescriptorByteSource, reader: LineReader,
         baseOffset: Int64, head: (hash: UInt64, length: Int), now: Double) {
        self.file = file
        self.currentPath = file.path
        self.identity = identity
        self.input = input
        self.reader = reader
        self.baseOffset = baseOffset
        self.head = head
        self.lastGrowth = now
    }

    deinit { reader.close() }

    var checkpoint: SourceCheckpoint {
        SourceCheckpoint(path: currentPath, device: identity.device, inode: identity.inode,
                         offset: deliveredOffset, lineNumber: reader.lineNumber,
                         headHash: head.hash, headLength: head.length)
    }

    /// Bytes the writer has written that have not been delivered yet (a held partial line does
    /// not count: it cannot be delivered).
    var lagBytes: Int64 {
        var st = stat()
        guard fstat(fileDescriptor, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return max(0, Int64(st.st_size) - (behind ? deliveredOffset : readPosition))
    }

    /// True when the content under our offset is no longer what we read: the file shrank below
    /// the read position, or its first bytes changed (copytruncate refilled past our offset
    /// between two looks). Widens the hashed head while the file is still short.
    func wasTruncated() -> Bool {
        var st = stat()
        guard fstat(fileDescriptor, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        if Int64(st.st_size) < readPosition { return true }
        let now = FileHead.hash(fileDescriptor: fileDescriptor, length: head.length)
        if now.length < head.length || now.hash != head.hash { return true }
        if head.length < FileHead.length && Int64(st.st_size) > Int64(head.length) {
            let wider = FileHead.hash(fileDescriptor: fileDescriptor)
            head = (wider.hash, wider.length)
        }
        return false
    }

    /// Counts the complete lines in the first `size` bytes: where "from the end" starts (after the
    /// last newline, so a line being written is delivered whole) and its line number.
    static func lineBoundary(fileDescriptor fd: Int32, size: Int64) -> (offset: Int64, lines: Int) {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var position: Int64 = 0
        var lines = 0
        var afterLastNewline: Int64 = 0
        while position < size {
            let n = pread(fd, buffer, min(chunk, Int(size - position)), off_t(position))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var p = buffer
            var left = n
            while left > 0, let hit = memchr(p, 0x0A, left) {
                lines += 1
                let used = p.distance(to: hit) + 1
                afterLastNewline = position + Int64(n - left + used)
                p = hit.advanced(by: 1)
                left -= used
            }
            position += Int64(n)
        }
        return (afterLastNewline, lines)
    }
}
