import TenantWatchModel

/// A backend as a pair of integers, for the per-backend dictionaries on the hot path.
///
/// `BackendID` carries the session id as a String (`6b02ea26.330b`), which costs a String to
/// build and to hash on every line. The session id is two hex numbers (session start time and
/// pid), so it packs into one `UInt64` without loss.
struct BackendKey: Hashable {
    var pid: Int
    var session: UInt64

    init(pid: Int, session: UInt64) { self.pid = pid; self.session = session }

    init(_ id: BackendID) {
        pid = id.pid
        var code: UInt64 = 0
        if var s = id.sessionID { code = s.withUTF8 { Self.sessionCode($0, 0, $0.count) } }
        session = code
    }

    /// `6b02ea26.330b` → 0x6b02ea26_0000330b; 0 when absent. Not hex: a hash of the bytes
    /// (still stable, only used to tell backends apart).
    ///
    /// Called for every line: the two halves are read by pointer, one tight loop each, instead
    /// of one indexed loop that asks at every byte which half it is in.
    static func sessionCode(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        guard s < e, let base = b.baseAddress else { return 0 }
        var p = base + s
        let stop = base + e
        var hi: UInt64 = 0, lo: UInt64 = 0
        while p < stop, p.pointee != Bytes.dot {
            guard let d = hexDigit(p.pointee) else { return hashed(b, s, e) }
            hi = hi << 4 | d
            p += 1
        }
        let seenDot = p < stop
        if seenDot {
            p += 1
            while p < stop {
                // A second dot is not a hex digit either: hashed.
                guard let d = hexDigit(p.pointee) else { return hashed(b, s, e) }
                lo = lo << 4 | d
                p += 1
            }
        }
        return hi << 32 ^ lo | (seenDot ? 0 : 1 << 63)
    }

    @inline(__always) private static func hexDigit(_ c: UInt8) -> UInt64? {
        if Bytes.isDigit(c) { return UInt64(c &- 48) }
        let l = (c | 0x20) &- 97
        return l < 6 ? UInt64(l) + 10 : nil
    }

    /// Session ids that are not two hex numbers (never written by PostgreSQL; forged or damaged).
    private static func hashed(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        var h = Hasher()
        h.combine(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[s..<e]))
        return UInt64(bitPattern: Int64(h.finalize())) | 1
    }
}
