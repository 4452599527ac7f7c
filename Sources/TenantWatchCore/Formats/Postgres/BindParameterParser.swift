/// Reads the bind parameters PostgreSQL logs: `$1 = '2', $2 = 'O''Brien', $3 = NULL`.
///
/// Values are single-quoted with quotes doubled, `NULL` is bare, and a value may hold `, $2 = `,
/// newlines and tabs inside its quotes, so the text is walked quote by quote, never split on
/// commas. Values cut by `log_parameter_max_length` end in `...` inside the quotes and are kept
/// as written. Works on UTF-8 bytes: one `String` per value, nothing per character.
enum BindParameterParser {
    /// `text` is what follows `parameters: ` (or `... with parameters: ` in a CONTEXT line).
    /// Returns nil when the text is not a parameter list.
    static func parse(_ text: Substring) -> [String?]? {
        var t = text
        return t.withUTF8 { parse(bytes: $0, 0, $0.count) }
    }

    /// The parameter list in `b[start..<end]`.
    static func parse(bytes b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> [String?]? {
        var params: [String?] = []
        var i = start
        while true {
            guard i < end, b[i] == 36 /* $ */ else { return nil }
            i += 1
            let ds = i
            while i < end, Bytes.isDigit(b[i]) { i += 1 }
            guard i > ds, let n = Bytes.parseInt(b, ds, i) else { return nil }
            guard Bytes.hasPrefix(b, i, end, " = ") else { return nil }
            i += 3
            let value: String?
            if Bytes.hasPrefix(b, i, end, "NULL") {
                value = nil
                i += 4
            } else if i < end, b[i] == Bytes.apostrophe {
                // Fast path: no doubled quote, the value is one slice of the line.
                let vs = i + 1
                var j = vs
                var doubled = false
                var closed = false
                while j < end {
                    if b[j] == Bytes.apostrophe {
                        if j + 1 < end, b[j + 1] == Bytes.apostrophe { doubled = true; j += 2; continue }
                        closed = true
                        break
                    }
                    j += 1
                }
                guard closed else { return nil }
                if doubled {
                    var out: [UInt8] = []
                    out.reserveCapacity(j - vs)
                    var k = vs
                    while k < j {
                        out.append(b[k])
                        k += b[k] == Bytes.apostrophe ? 2 : 1
                    }
                    value = String(decoding: out, as: UTF8.self)
                } else {
                    value = Bytes.string(b, vs, j)
                }
                i = j + 1
            } else {
                return nil
            }
            // `$n` numbers are consecutive from 1; a gap means we misread.
            guard n == params.count + 1 else { return nil }
            params.append(value)
            if i == end { return params }
            guard Bytes.hasPrefix(b, i, end, ", ") else { return nil }
            i += 2
        }
    }

    /// Parameters from a DETAIL (`parameters: ...`) or CONTEXT (`... with parameters: ...`) field.
    static func fromField(_ field: String?) -> [String?]? {
        guard var f = field else { return nil }
        return f.withUTF8 { b in
            if Bytes.hasPrefix(b, 0, b.count, "parameters: ") { return parse(bytes: b, 12, b.count) }
            if let at = Bytes.find(" with parameters: ", b, 0, b.count) { return parse(bytes: b, at + 18, b.count) }
            return nil
        }
    }
}
