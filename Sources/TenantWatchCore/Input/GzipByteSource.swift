import CSystemZlib

/// Decompresses a gzip file on the fly, one read at a time: a week of `.gz` archives is replayed
/// without ever holding more than one input and one output buffer.
///
/// `windowBits 15 + 32` lets zlib recognise the gzip header itself; after each member's end the
/// stream is reset, so concatenated members (`cat a.gz b.gz`, what `pigz` and some log shippers
/// write) read as one file, as `gzip -d` does. NUL padding after the last member is ignored like
/// `gzip` does. Damage is reported with the file name and never read past.
public final class GzipByteSource: ByteSource {
    public let path: String
    private let input: ByteSource
    /// Heap-allocated: zlib checks that the stream's address never changes between calls.
    private let stream: UnsafeMutablePointer<z_stream>
    private let inputBuffer: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 64 << 10
    private var inputEnded = false
    private var memberInProgress = false
    private var finished = false
    private var initialized = false
    private var pendingError: SourceError?

    public init(input: ByteSource, path: String) throws {
        self.input = input
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inputBuffer = .allocate(capacity: inputCapacity)
        let rc = tw_inflate_init2(stream, 15 + 32)
        guard rc == Z_OK else {
            throw SourceError.corruptCompressedData(path: path, reason: "zlib could not start (\(rc))")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        inputBuffer.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        guard !finished, count > 0 else { return 0 }
        let capacity = UInt32(min(count, Int(UInt32.max)))
        stream.pointee.next_out = buffer.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = capacity
        while stream.pointee.avail_out == capacity {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let n = try input.read(into: inputBuffer, count: inputCapacity)
                if n == 0 {
                    inputEnded = true
                } else {
                    stream.pointee.next_in = inputBuffer
                    stream.pointee.avail_in = UInt32(n)
                }
            }
            if !memberInProgress { skipPadding() }
            if stream.pointee.avail_in == 0 && inputEnded {
                if memberInProgress {
                    finished = true
                    throw SourceError.corruptCompressedData(path: path, reason: "unexpected end of compressed data (truncated archive?)")
                }
                finished = true
                break
            }
            if stream.pointee.avail_in == 0 { continue }
            memberInProgress = true
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_STREAM_END:
                memberInProgress = false
                inflateReset(stream)
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                finished = true
                let error = SourceError.corruptCompressedData(path: path, reason: message)
                // What was inflated before the damage is delivered; the error comes next read.
                if stream.pointee.avail_out < capacity {
                    pendingError = error
                    break
                }
                throw error
            }
        }
        return Int(capacity - stream.pointee.avail_out)
    }

    /// Drops NUL bytes between or after members (tape-style padding `gzip` also tolerates).
    private func skipPadding() {
        while stream.pointee.avail_in > 0, stream.pointee.next_in.pointee == 0 {
            stream.pointee.next_in += 1
            stream.pointee.avail_in -= 1
        }
    }
}
