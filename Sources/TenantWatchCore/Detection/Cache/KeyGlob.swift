/// A `[cache] allowed` pattern, matched the way Redis matches `KEYS`/`SCAN MATCH` patterns:
/// `*` any run of bytes (separators included: `plans:*` matches `plans:pro:eu`), `?` one byte,
/// `[abc]`, `[a-z]`, `[^a]` / `[!a]` a byte class, `\x` the byte `x` itself. Everything else
/// matches itself, byte for byte.
public struct KeyGlob: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    private let pattern: [UInt8]

    public init(_ text: String) {
        self.text = text
        self.pattern = Array(text.utf8)
    }

    public var description: String { text }

    public func matches(_ key: String) -> Bool { matches(bytes: Array(key.utf8)) }

    public func matches(bytes s: [UInt8]) -> Bool {
        let p = pattern
        var pi = 0, si = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count {
                switch p[pi] {
                case 0x2A: // *
                    while pi < p.count, p[pi] == 0x2A { pi += 1 }
                    if pi == p.count { return true }
                    starP = pi
                    starS = si
                    continue
                case 0x3F: // ?
                    pi += 1; si += 1
                    continue
                case 0x5B: // [
                    if let (matched, next) = matchClass(p, at: pi, byte: s[si]) {
                        if matched { pi = next; si += 1; continue }
                    } else if s[si] == 0x5B {   // an unclosed `[` is literal
                        pi += 1; si += 1
                        continue
                    }
                case 0x5C where pi + 1 < p.count: // \x
                    if p[pi + 1] == s[si] { pi += 2; si += 1; continue }
                default:
                    if p[pi] == s[si] { pi += 1; si += 1; continue }
                }
            }
            // Mismatch: let the last `*` swallow one more byte.
            guard starP >= 0 else { return false }
            starS += 1
            si = starS
            pi = starP
        }
        while pi < p.count, p[pi] == 0x2A { pi += 1 }
        return pi == p.count
    }

    /// Matches `[...]` at `start` against `byte`: (matched, index after `]`), nil when unclosed.
    private func matchClass(_ p: [UInt8], at start: Int, byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == 0x5E || p[i] == 0x21 { negate = true; i += 1 }
        var matched = false
        var firstItem = true
        while i < p.count {
            if p[i] == 0x5D && !firstItem { return (matched != negate, i + 1) }
            firstItem = false
            var lo = p[i]
            if lo == 0x5C, i + 1 < p.count { i += 1; lo = p[i] }
            if i + 2 < p.count, p[i + 1] == 0x2D, p[i + 2] != 0x5D {
                var hi = p[i + 2]
                var next = i + 3
                if hi == 0x5C, i + 3 < p.count { hi = p[i + 3]; next = i + 4 }
                if min(lo, hi) <= byte && byte <= max(lo, hi) { matched = true }
                i = next
            } else {
                if lo == byte { matched = true }
                i += 1
            }
        }
        return nil
    }
}
