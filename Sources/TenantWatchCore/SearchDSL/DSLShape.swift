/// A query body's shape: the JSON with every scalar value replaced by `?`, keys kept in order,
/// so the same search with other values (another tenant, another word) has one fingerprint.
/// Arrays of scalars collapse to one `?`, as `IN (...)` lists do in SQL fingerprints.
enum DSLShape {
    static func shape(_ value: JSONValue, depth: Int = 0) -> String {
        guard depth < 64 else { return "…" }
        switch value {
        case .object(let members):
            return "{" + members.map { quote($0.0) + ":" + shape($0.1, depth: depth + 1) }.joined(separator: ",") + "}"
        case .array(let items):
            if items.allSatisfy({ $0.scalarText != nil || $0 == .null }) { return "[?]" }
            return "[" + items.map { shape($0, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "?"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if c.value < 0x20 { out += "\\u" + String(c.value, radix: 16).leftPadded(4) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
