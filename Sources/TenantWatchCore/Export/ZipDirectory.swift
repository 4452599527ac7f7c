import CSystemZlib
import Foundation

/// A zip's central directory, read by hand so that `verify` sees every entry exactly as `unzip`
/// and Python's `zipfile` would extract it — the name, the file mode, the sizes — and not as a
/// zip library chooses to present it (ZIPFoundation, for one, skips an entry whose mode says
/// "directory" even when its name has no trailing `/`, which both extractors write out as a
/// file).
///
/// Reading is strict: anything a genuine bundle never contains (data before the archive or
/// after its end record, ZIP64, several disks, encryption, overlapping entries, a local header
/// whose name differs from the directory's, a Unicode-path extra field that `unzip` would use
/// instead of the name) is refused rather than interpreted, because extractors interpret such
/// things differently.
struct ZipDirectory {
    struct Entry {
        var name: String
        var nameBytes: [UInt8]
        var versionMadeBy: UInt16
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
        var externalAttributes: UInt32
        /// Where the (compressed) data starts, from the local header.
        var dataOffset: UInt64 = 0

        /// The Unix file type bits (`S_IFMT`) when the entry was made on a Unix-like host, else nil.
        var unixFileType: UInt32? {
            let host = versionMadeBy >> 8
            guard host == 3 || host == 19 else { return nil }
            return (externalAttributes >> 16) & 0o170000
        }

        /// The MS-DOS directory attribute (bit 4 of the low byte), which some extractors honour.
        var dosDirectory: Bool { externalAttributes & 0x10 != 0 }
    }

    /// The most entries a bundle may have (a genuine one has a few dozen).
    static let maximumEntries = 10_000

    let fd: Int32
    let fileSize: UInt64
    private(set) var entries: [Entry] = []

    /// Opens and reads the directory; throws the first thing that is not as a bundle writes it.
    init(path: String) throws(BundleVerifier.Mismatch) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .notAZip(path) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { Glibc.close(fd); throw .notAZip(path) }
        self.fd = fd
        self.fileSize = UInt64(st.st_size)
        do { try readDirectory(path: path) } catch { Glibc.close(fd); throw error }
    }

    func close() { _ = Glibc.close(fd) }

    /// `count` bytes at `offset`, or nil when the file is shorter.
    func read(at offset: UInt64, count: Int) -> [UInt8]? {
        guard count >= 0, offset <= fileSize, UInt64(count) <= fileSize - offset else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { b in
                pread(fd, b.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if n <= 0 { return nil }
            done += n
        }
        return out
    }

    private mutating func readDirectory(path: String) throws(BundleVerifier.Mismatch) {
        // The end record is the last `PK\5\6` in the tail (the comment is at most 64 KiB), as
        // both extractors find it; its comment must then run exactly to the end of the file.
        let tailLength = Int(min(fileSize, 22 + 65_535))
        guard tailLength >= 22, let tail = read(at: fileSize - UInt64(tailLength), count: tailLength) else {
            throw .notAZip(path)
        }
        var at = -1
        var k = tail.count - 22
        while k >= 0 {
            if tail[k] == 0x50 && tail[k + 1] == 0x4b && tail[k + 2] == 5 && tail[k + 3] == 6 { at = k; break }
            k -= 1
        }
        guard at >= 0 else { throw .notAZip(path) }
        let eocdOffset = fileSize - UInt64(tail.count - at)
        let disk = u16(tail, at + 4), cdDisk = u16(tail, at + 6)
        let onDisk = u16(tail, at + 8), total = u16(tail, at + 10)
        let cdSize = UInt64(u32(tail, at + 12)), cdOffset = UInt64(u32(tail, at + 16))
        let commentLength = Int(u16(tail, at + 20))
        guard at + 22 + commentLength == tail.count else {
            throw .malformedZip("bytes after the end-of-archive record")
        }
        if at >= 20, u32(tail, at - 20) == 0x0706_4b50 || total == 0xFFFF || cdOffset == 0xFFFF_FFFF {
            throw .malformedZip("ZIP64 archive (a bundle never needs one)")
        }
        guard disk == 0, cdDisk == 0, onDisk == total else { throw .malformedZip("split over several disks") }
        guard Int(total) <= ZipDirectory.maximumEntries else {
            throw .malformedZip("\(total) entries (at most \(ZipDirectory.maximumEntries))")
        }
        // No gap: data before the first entry would shift every offset, which extractors undo
        // each in their own way.
        guard cdOffset + cdSize == eocdOffset else {
            throw .malformedZip("the central directory does not end where the end record starts (data before or inside the archive)")
        }
        guard let cd = read(at: cdOffset, count: Int(cdSize)) else { throw .malformedZip("central directory beyond the end of the file") }

        var p = 0
        for _ in 0..<Int(total) {
            guard p + 46 <= cd.count, u32(cd, p) == 0x0201_4b50 else {
                throw .malformedZip("central directory entry \(entries.count + 1) is damaged")
            }
            let nameLength = Int(u16(cd, p + 28)), extraLength = Int(u16(cd, p + 30)), commentLen = Int(u16(cd, p + 32))
            guard p + 46 + nameLength + extraLength + commentLen <= cd.count else {
                throw .malformedZip("central directory entry \(entries.count + 1) is damaged")
            }
            let nameBytes = Array(cd[(p + 46)..<(p + 46 + nameLength)])
            let flags = u16(cd, p + 8)
            let name = try ZipDirectory.decodeName(nameBytes, utf8Flag: flags & 0x0800 != 0)
            var e = Entry(name: name, nameBytes: nameBytes, versionMadeBy: u16(cd, p + 4), flags: flags,
                          method: u16(cd, p + 10), crc32: u32(cd, p + 16), compressedSize: UInt64(u32(cd, p + 20)),
                          uncompressedSize: UInt64(u32(cd, p + 24)), localHeaderOffset: UInt64(u32(cd, p + 42)),
                          externalAttributes: u32(cd, p + 38))
            guard u16(cd, p + 34) == 0 else { throw .malformedZip("\(name): on another disk") }
            try ZipDirectory.checkExtra(Array(cd[(p + 46 + nameLength)..<(p + 46 + nameLength + extraLength)]), name: name)
            if flags & 0x0001 != 0 || flags & 0x0040 != 0 { throw .malformedZip("\(name): encrypted") }
            guard e.method == 0 || e.method == 8 else { throw .malformedZip("\(name): compression method \(e.method) (only stored and deflate)") }
            e.dataOffset = try localData(of: e, before: cdOffset)
            entries.append(e)
            p += 46 + nameLength + extraLength + commentLen
        }
        guard p == cd.count else { throw .malformedZip("the central directory holds more than its \(total) entries") }

        // Entries may not share bytes (overlapping entries are how a small zip inflates to
        // terabytes, and two names for one content are a forgery's friend).
        let spans = entries.map { ($0.localHeaderOffset, $0.dataOffset + $0.compressedSize, $0.name) }.sorted { $0.0 < $1.0 }
        for k in spans.indices.dropFirst() where spans[k].0 < spans[k - 1].1 {
            throw .malformedZip("\(spans[k].2): overlaps \(spans[k - 1].2)")
        }
    }

    /// Checks the local header against the directory and returns where the data starts.
    private func localData(of e: Entry, before cdOffset: UInt64) throws(BundleVerifier.Mismatch) -> UInt64 {
        guard let h = read(at: e.localHeaderOffset, count: 30), u32(h, 0) == 0x0403_4b50 else {
            throw .malformedZip("\(e.name): no local header where the directory says")
        }
        let nameLength = Int(u16(h, 26)), extraLength = Int(u16(h, 28))
        guard let local = read(at: e.localHeaderOffset + 30, count: nameLength + extraLength),
              Array(local[0..<nameLength]) == e.nameBytes else {
            throw .malformedZip("\(e.name): the local header names another file")
        }
        try ZipDirectory.checkExtra(Array(local[nameLength...]), name: e.name)
        guard u16(h, 8) == e.method, u16(h, 6) & 0x0041 == 0 else {
            throw .malformedZip("\(e.name): the local header disagrees with the directory")
        }
        let start = e.localHeaderOffset + 30 + UInt64(nameLength + extraLength)
        guard start + e.compressedSize <= cdOffset else { throw .malformedZip("\(e.name): data runs into the central directory") }
        return start
    }

    /// Extra fields that change what an extractor writes (a Unicode path `unzip` prefers to the
    /// name, ZIP64 sizes) are refused; the harmless ones (times, owners) are allowed.
    private static func checkExtra(_ b: [UInt8], name: String) throws(BundleVerifier.Mismatch) {
        var p = 0
        while p + 4 <= b.count {
            let id = UInt16(b[p]) | UInt16(b[p + 1]) << 8
            let size = Int(UInt16(b[p + 2]) | UInt16(b[p + 3]) << 8)
            if id == 0x7075 || id == 0x6375 { throw .malformedZip("\(name): carries a Unicode path/comment extra field (unzip would use another name)") }
            if id == 0x0001 { throw .malformedZip("\(name): ZIP64 extra field (a bundle never needs one)") }
            p += 4 + size
        }
        guard p == b.count else { throw .malformedZip("\(name): damaged extra field") }
    }

    /// Names are UTF-8 when flagged; unflagged ones must be ASCII (else `unzip` reads them as
    /// CP437 and Python as CP437 too, while the manifest means UTF-8).
    private static func decodeName(_ b: [UInt8], utf8Flag: Bool) throws(BundleVerifier.Mismatch) -> String {
        let shown = String(decoding: b, as: UTF8.self)
        if b.contains(where: { $0 >= 0x80 }) {
            guard utf8Flag, String(validating: b, as: UTF8.self) != nil else {
                throw .unsafeEntry(name: shown, reason: "a name that is not marked UTF-8 (extractors would read it as CP437)")
            }
        }
        return shown
    }

    /// Inflates (or copies) an entry's data in chunks, at most `limit` bytes, checking its CRC-32
    /// and its declared size; never holds more than a chunk in memory.
    func inflate(_ e: Entry, limit: UInt64, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        guard e.uncompressedSize <= limit else { throw BundleVerifier.Mismatch.tooLarge(path: e.name, size: e.uncompressedSize, limit: limit) }
        var crc = crc32(0, nil, 0)
        var produced: UInt64 = 0
        let chunk = 1 << 16
        var remaining = e.compressedSize
        var offset = e.dataOffset
        func emit(_ buf: UnsafeRawBufferPointer) throws {
            produced += UInt64(buf.count)
            // Stops at the declared size: a zip bomb is cut off after `uncompressedSize` bytes.
            guard produced <= e.uncompressedSize else { throw BundleVerifier.Mismatch.inflatesPastSize(path: e.name, declared: e.uncompressedSize) }
            crc = crc32(crc, buf.bindMemory(to: Bytef.self).baseAddress, uInt(buf.count))
            body(buf)
        }
        if e.method == 0 {
            guard e.compressedSize == e.uncompressedSize else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
            while remaining > 0 {
                let n = Int(min(UInt64(chunk), remaining))
                guard let data = read(at: offset, count: n) else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
                try data.withUnsafeBytes { b in try emit(b) }
                remaining -= UInt64(n)
                offset += UInt64(n)
            }
        } else {
            var stream = z_stream()
            guard tw_inflate_init2(&stream, -15) == Z_OK else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
            defer { inflateEnd(&stream) }
            var out = [UInt8](repeating: 0, count: chunk)
            var finished = false
            while !finished {
                guard remaining > 0 else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
                let n = Int(min(UInt64(chunk), remaining))
                guard var input = read(at: offset, count: n) else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
                remaining -= UInt64(n)
                offset += UInt64(n)
                let status: Int32 = try input.withUnsafeMutableBytes { inBuf -> Int32 in
                    stream.next_in = inBuf.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_in = uInt(n)
                    var rc: Int32 = Z_OK
                    repeat {
                        rc = out.withUnsafeMutableBytes { o in
                            stream.next_out = o.bindMemory(to: Bytef.self).baseAddress
                            stream.avail_out = uInt(chunk)
                            return CSystemZlib.inflate(&stream, Z_NO_FLUSH)
                        }
                        let made = chunk - Int(stream.avail_out)
                        if made > 0 { try out.withUnsafeBytes { o in try emit(UnsafeRawBufferPointer(rebasing: o[0..<made])) } }
                        if rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR) { break }
                    } while stream.avail_out == 0 || stream.avail_in > 0
                    return rc
                }
                if status == Z_STREAM_END { finished = true }
                else if status != Z_OK && status != Z_BUF_ERROR { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
            }
        }
        guard produced == e.uncompressedSize else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
        guard UInt32(crc) == e.crc32 else { throw BundleVerifier.Mismatch.unreadableEntry(e.name) }
    }
}

@inline(__always) private func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
@inline(__always) private func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}
