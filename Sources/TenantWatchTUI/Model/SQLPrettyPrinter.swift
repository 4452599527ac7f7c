/// Lays a statement out one clause a line for the detail screen. Display only: the statement
/// was judged by libpg_query; this only breaks lines before clause keywords outside quotes.
public enum SQLPrettyPrinter {
    static let breakBefore: [[String]] = [
        ["FROM"], ["WHERE"], ["GROUP", "BY"], ["ORDER", "BY"], ["HAVING"], ["LIMIT"], ["OFFSET"], ["RETURNING"],
        ["LEFT", "JOIN"], ["RIGHT", "JOIN"], ["INNER", "JOIN"], ["FULL", "JOIN"], ["CROSS", "JOIN"], ["JOIN"],
        ["UNION"], ["VALUES"], ["SET"], ["ON", "CONFLICT"],
    ]
    static let indentBefore: Set<String> = ["AND", "OR"]

    public static func format(_ sql: String) -> String {
        let flat = StreamRow.compactSQL(sql)
        // Tokenize into words and quoted/other chunks, keeping exact text.
        var tokens: [String] = []
        var cur = ""
        var quote: Character? = nil
        for ch in flat {
            if let q = quote {
                cur.append(ch)
                if ch == q { quote = nil }
                continue
            }
            if ch == "'" || ch == "\"" {
                cur.append(ch)
                quote = ch
            } else if ch == " " {
                if !cur.isEmpty { tokens.append(cur); cur = "" }
            } else {
                cur.append(ch)
            }
        }
        if !cur.isEmpty { tokens.append(cur) }
        var lines: [String] = []
        var line = ""
        var i = 0
        var depth = 0
        while i < tokens.count {
            let t = tokens[i]
            let upper = t.uppercased()
            var broke = false
            if depth == 0 && !line.isEmpty {
                for kw in breakBefore where i + kw.count <= tokens.count {
                    if (0..<kw.count).allSatisfy({ tokens[i + $0].uppercased() == kw[$0] }) {
                        lines.append(line)
                        line = ""
                        broke = true
                        break
                    }
                }
                if !broke && indentBefore.contains(upper) {
                    lines.append(line)
                    line = "  "
                    broke = true
                }
            }
            if !line.isEmpty && line != "  " { line += " " }
            line += t
            for ch in t where !t.hasPrefix("'") {
                if ch == "(" { depth += 1 } else if ch == ")" { depth = max(0, depth - 1) }
            }
            i += 1
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// Scalar-offset ranges of each term in `text`: case-insensitive for identifiers; a term is
    /// matched only as a whole word (or a whole quoted value).
    public static func ranges(of terms: [String], in text: String) -> [Range<Int>] {
        let scalars = Array(text.unicodeScalars)
        let lower = scalars.map { Unicode.Scalar(UInt32(lowercaseASCII($0.value))) ?? $0 }
        var out: [Range<Int>] = []
        func isWord(_ s: Unicode.Scalar) -> Bool {
            (s.value >= 0x30 && s.value <= 0x39) || (s.value >= 0x41 && s.value <= 0x5A)
                || (s.value >= 0x61 && s.value <= 0x7A) || s == "_" || s.value >= 0x80
        }
        for term in terms where !term.isEmpty {
            let t = Array(term.unicodeScalars).map { Unicode.Scalar(UInt32(lowercaseASCII($0.value))) ?? $0 }
            var i = 0
            while i + t.count <= lower.count {
                if Array(lower[i..<(i + t.count)]) == t {
                    let beforeOK = i == 0 || !isWord(lower[i - 1])
                    let afterOK = i + t.count == lower.count || !isWord(lower[i + t.count])
                    if beforeOK && afterOK {
                        out.append(i..<(i + t.count))
                        i += t.count
                        continue
                    }
                }
                i += 1
            }
        }
        return out.sorted { $0.lowerBound < $1.lowerBound }
    }

    private static func lowercaseASCII(_ v: UInt32) -> UInt32 { v >= 0x41 && v <= 0x5A ? v + 32 : v }
}
