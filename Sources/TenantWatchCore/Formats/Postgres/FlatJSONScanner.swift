/// A small scanner for one flat JSON object of strings and numbers, the shape of a jsonlog line.
///
/// `JSONSerialization` costs tens of microseconds a line and builds a dictionary of every key;
/// this walks the bytes once and hands each key/value pair to the caller as ranges, decoding a
/// string only when the caller asks for it.
enum FlatJSONScanner {
    enum Value {
        /// The range between the quotes, still escaped; `hasEscapes` tells whether decoding is needed.
        case string(start: Int, end: Int, hasEscapes: Bool)
        case number(start: Int, end: Int)
        case literal(start: Int, end: Int)  // true, false, null
    }

    /// Calls `pair(keyStart, keyEnd, value)` for every member; false when the bytes are not one
    /// flat JSON object (nested objects and arrays are refused).
    @inline(__always)
    private static func skipWS(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, b[i] == Bytes.space || b[i] == Bytes.tab || b[i] == Bytes.cr || b[i] == Bytes.newline { i += 1 }
    }

    /// A string starting at `i` (on its opening quote): the body range and whether it has escapes.
    @inline(__always)
    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> (Int, Int, Bool)? {
        let n = b.count
        guard i < n, b[i] == Bytes.quote else { return nil }
        i += 1
        let s = i
        var esc = false
        while i < n {
            let c = b[i]
            if c == Bytes.quote { let e = i; i += 1; return (s, e, esc) }
            if c == Bytes.backslash { esc = true; i += 2; continue }
            i += 1
        }
        return nil
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>, _ pair: (Int, Int, Value) -> Void) -> Bool {
        var i = 0
        let n = b.count
        skipWS(b, &i)
        guard i < n, b[i] == Bytes.lbrace else { return false }
        i += 1
        skipWS(b, &i)
        if i < n, b[i] == Bytes.rbrace { return true }
        while true {
            skipWS(b, &i)
            guard let (ks, ke, _) = string(b, &i) else { return false }
            skipWS(b, &i)
            guard i < n, b[i] == Bytes.colon else { return false }
            i += 1
            skipWS(b, &i)
            guard i < n else { return false }
            let c = b[i]
            if c == Bytes.quote {
                guard let (s, e, esc) = string(b, &i) else { return false }
                pair(ks, ke, .string(start: s, end: e, hasEscapes: esc))
            } else if c == Bytes.dash || Bytes.isDigit(c) {
                let s = i
                i += 1
                while i < n, Bytes.isDigit(b[i]) || b[i] == Bytes.dot || b[i] == 101 || b[i] == 69 || b[i] == Bytes.plus || b[i] == Bytes.dash { i += 1 }
                pair(ks, ke, .number(start: s, end: i))
            } else if Bytes.isAlpha(c) {
                let s = i
                while i < n, Bytes.isAlpha(b[i]) { i += 1 }
                pair(ks, ke, .literal(start: s, end: i))
            } else {
                return false
            }
            skipWS(b, &i)
            guard i < n else { return false }
            if b[i] == Bytes.comma { i += 1; continue }
            if b[i] == Bytes.rbrace { i += 1; skipWS(b, &i); return i == n }
            return false
        }
    }

    /// Decodes a JSON string body (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` with
    /// surrogate pairs).
    static func decode(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, hasEscapes: Bool) -> String {
        guard hasEscapes else { return Bytes.string(b, s, e) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var i = s
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= e else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = b[k]
                let d: UInt8
                if Bytes.isDigit(c) { d = c - 48 } else if (c | 0x20) &- 97 < 6 { d = (c | 0x20) - 87 } else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < e {
            let c = b[i]
            guard c == Bytes.backslash, i + 1 < e else { out.append(c); i += 1; continue }
            let x = b[i + 1]
            i += 2
            switch x {
            case 110: out.append(Bytes.newline)
            case 116: out.append(Bytes.tab)
            case 114: out.append(Bytes.cr)
            case 98: out.append(8)
            case 102: out.append(12)
            case 117:
                guard var u = hex4(i) else { out.append(x); continue }
                i += 4
                if u >= 0xD800, u < 0xDC00, i + 6 <= e, b[i] == Bytes.backslash, b[i + 1] == 117,
                   let lo = hex4(i + 2), lo >= 0xDC00, lo < 0xE000 {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: out.append(x)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
