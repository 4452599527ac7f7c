import TenantWatchCore

/// The fuzz input as a `ByteSource`, so it reaches the parser through the production
/// `LineReader` (line splitting, CR trimming, buffer growth) rather than a test-only splitter.
///
/// The bytes are copied: libFuzzer's buffer is only valid during the call, and a copy also
/// lets ASan catch a read past the end of what was handed out.
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ data: UnsafeBufferPointer<UInt8>) { bytes = Array(data) }

    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let n = min(count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
        }
        return n
    }
}
