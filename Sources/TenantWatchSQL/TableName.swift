/// A table as PostgreSQL resolves it: schema plus name, both already case-folded (or quoted).
/// Unqualified names resolve to `public`, the search_path this tool assumes.
public struct TableName: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var schema: String
    public var name: String

    public init(schema: String? = nil, name: String) {
        self.schema = schema ?? "public"
        self.name = name
    }

    /// A name written in the config (`orders`, `billing.orders`, `"Orders"`): folded like SQL
    /// identifiers are, lower case unless double-quoted.
    public init(configName: String) {
        let parts = TableName.splitQualified(configName)
        if parts.count >= 2 {
            self.init(schema: parts[parts.count - 2], name: parts[parts.count - 1])
        } else {
            self.init(name: parts.first ?? "")
        }
    }

    /// `public` tables print bare, others qualified, as a user would write them.
    public var description: String { schema == "public" ? name : "\(schema).\(name)" }

    public static func < (a: TableName, b: TableName) -> Bool {
        (a.schema, a.name) < (b.schema, b.name)
    }

    /// Folds one configured identifier the way the SQL parser folds unquoted ones.
    public static func foldIdentifier(_ s: String) -> String {
        let t = s.trimmingSpaces()
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") {
            return String(t.dropFirst().dropLast()).replacingDoubledQuotes()
        }
        return t.lowercased()
    }

    package static func splitQualified(_ s: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(s)[...]
        while let c = chars.popFirst() {
            if c == "\"" {
                if quoted, chars.first == "\"" { current.append("\"\""); chars.removeFirst(); continue }
                quoted.toggle()
                current.append(c)
            } else if c == ".", !quoted {
                parts.append(foldIdentifier(current)); current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(foldIdentifier(current))
        return parts
    }
}

extension String {
    package func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    package func replacingDoubledQuotes() -> String {
        var out = ""
        var prevQuote = false
        for c in self {
            if c == "\"" {
                if prevQuote { prevQuote = false; continue }
                prevQuote = true
            } else {
                prevQuote = false
            }
            out.append(c)
        }
        return out
    }
}
