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
    static func sessionCode(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        guard s < e else { return 0 }
        var hi: UInt64 = 0, lo: UInt64 = 0
        var seenDot = false
        for i in s..<e {
            let c = b[i]
            if c == Bytes.dot, !seenDot { seenDot = true; continue }
            let d: UInt64
            if Bytes.isDigit(c) { d = UInt64(c - 48) } else if (c | 0x20) &- 97 < 6 { d = UInt64((c | 0x20) - 87) } else {
                var h = Hasher()
                h.combine(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[s..<e]))
                return UInt64(bitPattern: Int64(h.finalize())) | 1
            }
            if seenDot { lo = lo << 4 | d } else { hi = hi << 4 | d }
        }
        return hi << 32 ^ lo | (seenDot ? 0 : 1 << 63)
    }
}
