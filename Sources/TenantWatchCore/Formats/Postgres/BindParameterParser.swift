/// Reads the bind parameters PostgreSQL logs: `$1 = '2', $2 = 'O''Brien', $3 = NULL`.
///
/// Values are single-quoted with quotes doubled, `NULL` is bare, and a value may hold `, $2 = `,
/// newlines and tabs inside its quotes, so the text is walked quote by quote, never split on
/// commas. Values cut by `log_parameter_max_length` end in `...` inside the quotes and are kept
/// as written.
enum BindParameterParser {
    /// `text` is what follows `parameters: ` (or `... with parameters: ` in a CONTEXT line).
    /// Returns nil when the text is not a parameter list.
    static func parse(_ text: Substring) -> [String?]? {
        var s = text
        var params: [String?] = []
        while true {
            guard s.first == "$" else { return nil }
            s = s.dropFirst()
            let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let n = Int(digits) else { return nil }
            s = s.dropFirst(digits.count)
            guard s.hasPrefix(" = ") else { return nil }
            s = s.dropFirst(3)
            let value: String?
            if s.hasPrefix("NULL") {
                value = nil
                s = s.dropFirst(4)
            } else if s.first == "'" {
                var out = ""
                var i = s.index(after: s.startIndex)
                var closed = false
                while i < s.endIndex {
                    let c = s[i]
                    if c == "'" {
                        let next = s.index(after: i)
                        if next < s.endIndex, s[next] == "'" { out.append("'"); i = s.index(after: next); continue }
                        i = next
                        closed = true
                        break
                    }
                    out.append(c)
                    i = s.index(after: i)
                }
                guard closed else { return nil }
                value = out
                s = s[i...]
            } else {
                return nil
            }
            // `$n` numbers are consecutive from 1; a gap means we misread.
            guard n == params.count + 1 else { return nil }
            params.append(value)
            if s.isEmpty { return params }
            guard s.hasPrefix(", ") else { return nil }
            s = s.dropFirst(2)
        }
    }

    /// Parameters from a DETAIL (`parameters: ...`) or CONTEXT (`... with parameters: ...`) field.
    static func fromField(_ field: String?) -> [String?]? {
        guard let f = field else { return nil }
        if f.hasASCIIPrefix("parameters: ") { return parse(f.dropFirst(12)) }
        if let r = f.firstRange(ofASCII: " with parameters: ") { return parse(f[r.upperBound...]) }
        return nil
    }
}
