import Testing
@testable import TenantWatchCore
import TenantWatchTestSupport

@Suite struct BackendKeyTests {
    /// The first implementation (one indexed loop), kept as the oracle: the codes key the
    /// per-backend tables, so a faster reading must tell backends apart exactly as it did.
    static func referenceCode(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        guard s < e else { return 0 }
        var hi: UInt64 = 0, lo: UInt64 = 0
        var seenDot = false
        for i in s..<e {
            let c = b[i]
            if c == 46, !seenDot { seenDot = true; continue }
            let d: UInt64
            if c &- 48 < 10 { d = UInt64(c - 48) } else if (c | 0x20) &- 97 < 6 { d = UInt64((c | 0x20) - 87) } else {
                var h = Hasher()
                h.combine(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[s..<e]))
                return UInt64(bitPattern: Int64(h.finalize())) | 1
            }
            if seenDot { lo = lo << 4 | d } else { hi = hi << 4 | d }
        }
        return hi << 32 ^ lo | (seenDot ? 0 : 1 << 63)
    }

    static func codes(_ text: String) -> (UInt64, UInt64) {
        let bytes = Array(("x" + text + "y").utf8)
        return bytes.withUnsafeBufferPointer { b in
            (BackendKey.sessionCode(b, 1, b.count - 1), referenceCode(b, 1, b.count - 1))
        }
    }

    @Test func sessionIdsPackAsTwoHexNumbers() {
        #expect(Self.codes("6b02ea26.330b").0 == 0x6b02ea26_0000330b)
        #expect(Self.codes("6B02EA26.330B").0 == 0x6b02ea26_0000330b)
        #expect(Self.codes("").0 == 0)
    }

    @Test func everyShapeReadsAsTheReferenceDoes() {
        let fixed = ["6b02ea26.330b", "6b02ea26.", ".330b", ".", "..", "6b02.ea26.330b", "6b02ea26", "zz.1",
                     "1.zz", "6b02ea26.330g", "123456789abcdef0123.4", "6b02ea26.330b ", "ÿ.1", "a", "0.0"]
        for t in fixed {
            let (fast, ref) = Self.codes(t)
            #expect(fast == ref, "\(t)")
        }
        var rng = SeededRandom()
        let alphabet = Array("0123456789abcdefABCDEF.gz -".utf8)
        for _ in 0..<5_000 {
            let n = Int.random(in: 0...20, using: &rng)
            let t = String(decoding: (0..<n).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self)
            let (fast, ref) = Self.codes(t)
            #expect(fast == ref, "\(t) \(rng.seedNote)")
        }
    }
}
