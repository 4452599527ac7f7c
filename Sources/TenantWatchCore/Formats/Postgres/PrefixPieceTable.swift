#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled prefix laid out flat in raw memory for the matcher's inner loop.
///
/// `LogLinePrefix.pieces` is an array of enums holding arrays: reading one in the recursive
/// matcher costs reference counting on every step of every line. The table holds the same
/// pieces as plain integers and bytes behind pointers that live as long as the table.
final class PrefixPieceTable: @unchecked Sendable {
    static let literal: UInt8 = 0, escape: UInt8 = 1, sessionOnly: UInt8 = 2

    let count: Int
    let kind: UnsafeMutablePointer<UInt8>
    let escape: UnsafeMutablePointer<LogLinePrefix.Escape>
    let padding: UnsafeMutablePointer<Int>
    let litStart: UnsafeMutablePointer<Int>
    let litLen: UnsafeMutablePointer<Int>
    let bytes: UnsafeMutablePointer<UInt8>

    init(_ pieces: [LogLinePrefix.Piece]) {
        let n = pieces.count
        count = n
        kind = .allocate(capacity: max(n, 1))
        escape = .allocate(capacity: max(n, 1))
        padding = .allocate(capacity: max(n, 1))
        litStart = .allocate(capacity: max(n, 1))
        litLen = .allocate(capacity: max(n, 1))
        var all: [UInt8] = []
        for (i, p) in pieces.enumerated() {
            padding[i] = 0; litStart[i] = 0; litLen[i] = 0
            (escape + i).initialize(to: .pid)
            switch p {
            case .literal(let l):
                kind[i] = Self.literal
                litStart[i] = all.count
                litLen[i] = l.count
                all += l
            case .escape(let e, let pad):
                kind[i] = Self.escape
                escape[i] = e
                padding[i] = pad
            case .sessionOnlyFromHere:
                kind[i] = Self.sessionOnly
            }
        }
        bytes = .allocate(capacity: max(all.count, 1))
        for (i, c) in all.enumerated() { bytes[i] = c }
    }

    /// The same pointers as a plain value: the matcher's recursion reads the table through this,
    /// so no step retains or releases the class.
    struct View {
        let count: Int
        let kind: UnsafeMutablePointer<UInt8>
        let escape: UnsafeMutablePointer<LogLinePrefix.Escape>
        let padding: UnsafeMutablePointer<Int>
        let litStart: UnsafeMutablePointer<Int>
        let litLen: UnsafeMutablePointer<Int>
        let bytes: UnsafeMutablePointer<UInt8>

        /// Does `b[at...]` start with the literal of piece `k`?
        @inline(__always)
        func literalMatches(_ k: Int, _ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int) -> Bool {
            let n = litLen[k]
            guard at >= 0, at + n <= end, end <= b.count else { return false }
            return n == 0 || memcmp(b.baseAddress! + at, bytes + litStart[k], n) == 0
        }

        /// First index in `from..<to` where the literal of piece `k` starts (it may run past `to`
        /// up to `end`).
        @inline(__always)
        func findLiteral(_ k: Int, _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ end: Int) -> Int? {
            let n = litLen[k]
            guard n > 0 else { return from }
            guard from >= 0, end <= b.count, let base = b.baseAddress else { return nil }
            let lit = bytes + litStart[k]
            let first = Int32(lit[0])
            var i = from
            let last = min(to, end - n)
            while i <= last {
                guard let hit = memchr(base + i, first, last - i + 1) else { return nil }
                i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if n == 1 || memcmp(base + i + 1, lit + 1, n - 1) == 0 { return i }
                i += 1
            }
            return nil
        }
    }

    var view: View {
        View(count: count, kind: kind, escape: escape, padding: padding, litStart: litStart, litLen: litLen, bytes: bytes)
    }

    deinit {
        kind.deallocate(); escape.deallocate(); padding.deallocate()
        litStart.deallocate(); litLen.deallocate(); bytes.deallocate()
    }

    /// Does `b[at...]` start with the literal of piece `k`?
    @inline(__always)
    func literalMatches(_ k: Int, _ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int) -> Bool {
        let n = litLen[k]
        guard at + n <= end else { return false }
        let p = bytes + litStart[k]
        var i = 0
        while i < n { if b[at + i] != p[i] { return false }; i += 1 }
        return true
    }

    /// First index in `from..<to` where the literal of piece `k` starts (it may run past `to`
    /// up to `end`).
    @inline(__always)
    func findLiteral(_ k: Int, _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ end: Int) -> Int? {
        let n = litLen[k]
        guard n > 0 else { return from }
        let first = bytes[litStart[k]]
        var i = from
        let last = min(to, end - n)
        while i <= last {
            if b[i] == first && literalMatches(k, b, i, end) { return i }
            i += 1
        }
        return nil
    }
}
