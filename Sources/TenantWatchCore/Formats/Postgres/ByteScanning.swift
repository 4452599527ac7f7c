#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small byte-level helpers shared by the PostgreSQL readers.
///
/// The readers run over millions of lines; they look at bytes and build a `String` only for a
/// field they emit. These helpers keep that code short without allocating.
enum Bytes {
    static let tab: UInt8 = 9, newline: UInt8 = 10, cr: UInt8 = 13, space: UInt8 = 32
    static let quote: UInt8 = 34, comma: UInt8 = 44, colon: UInt8 = 58, dash: UInt8 = 45
    static let dot: UInt8 = 46, plus: UInt8 = 43, percent: UInt8 = 37, apostrophe: UInt8 = 39
    static let lbracket: UInt8 = 91, rbracket: UInt8 = 93, lparen: UInt8 = 40, rparen: UInt8 = 41
    static let backslash: UInt8 = 92, slash: UInt8 = 47, lbrace: UInt8 = 123, rbrace: UInt8 = 125

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c &- 65 < 26 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }

    /// Decimal digits in `b[start..<end]` as an Int; nil when empty, not all digits or too long.
    @inline(__always)
    static func parseInt(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard start < end, end - start <= 18 else { return nil }
        var v = 0
        for i in start..<end {
            let d = b[i] &- 48
            if d >= 10 { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Signed 64-bit decimal (`query_id` can be negative and use all 64 bits).
    static func parseInt64(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        var negative = false
        if i < end, b[i] == dash { negative = true; i += 1 }
        guard i < end, end - i <= 19 else { return nil }
        var v: UInt64 = 0
        while i < end {
            let d = b[i] &- 48
            if d >= 10 { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        if negative { return v <= UInt64(Int64.max) + 1 ? Int64(bitPattern: 0 &- v) : nil }
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    @inline(__always)
    static func string(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        guard start < end else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }

    /// First index of `c` in `b[start..<end]`, or nil.
    @inline(__always)
    static func find(_ c: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end { if b[i] == c { return i }; i += 1 }
        return nil
    }

    /// Does `b[at...]` start with the ASCII `lit`?
    @inline(__always)
    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int, _ lit: StaticString) -> Bool {
        let n = lit.utf8CodeUnitCount
        guard at + n <= end else { return false }
        let p = lit.utf8Start
        for i in 0..<n where b[at + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int, _ lit: [UInt8]) -> Bool {
        guard at + lit.count <= end else { return false }
        for i in 0..<lit.count where b[at + i] != lit[i] { return false }
        return true
    }

    /// First occurrence of the ASCII literal `lit` in `b[start..<end]` (memchr for its first byte).
    static func find(_ lit: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        let n = lit.utf8CodeUnitCount
        guard n > 0, start >= 0, end <= b.count, end - start >= n, let base = b.baseAddress else { return nil }
        let p = lit.utf8Start
        let first = Int32(p[0])
        var i = start
        let last = end - n
        while i <= last {
            guard let hit = memchr(base + i, first, last - i + 1) else { return nil }
            i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + i, p, n) == 0 { return i }
            i += 1
        }
        return nil
    }

    /// First occurrence of `needle` in `b[start..<end]`.
    static func find(_ needle: [UInt8], _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard let first = needle.first, end - start >= needle.count else { return nil }
        var i = start
        let last = end - needle.count
        while i <= last {
            if b[i] == first && hasPrefix(b, i, end, needle) { return i }
            i += 1
        }
        return nil
    }
}

extension String {
    /// Runs `body` over the UTF-8 bytes of the string, contiguously, without copying when possible.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var s = self
        return try s.withUTF8(body)
    }
}
