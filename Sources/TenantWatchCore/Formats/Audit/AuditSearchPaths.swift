/// `[audit] search_body` / `search_index`: a search the application logs beside its request
/// (the body it sent to Elasticsearch/OpenSearch, and the index, alias or pattern). It becomes a
/// `.searchQuery` right after the line's `.request`, tied to that request exactly (same request
/// id and trace), so a search leak found in the audit log needs no X-Opaque-Id at all.
public struct AuditSearchPaths: Sendable {
    let body: [String]
    let index: [String]

    public static let none = AuditSearchPaths(Configuration.AuditSearch())

    public init(_ config: Configuration.AuditSearch) {
        body = config.body.isEmpty ? [] : JSONValue.segments(of: config.body)
        index = config.index.isEmpty ? [] : JSONValue.segments(of: config.index)
    }

    public var isEmpty: Bool { body.isEmpty }

    /// The search of a line, if it carries one (a line without the body path is a request
    /// that searched nothing).
    func query(from root: JSONValue, request: AuditRequest) -> SearchQuery? {
        guard !body.isEmpty, let value = root.value(atSegments: body) else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s
        default: text = AuditSearchPaths.compact(value)
        }
        var indices: [String] = []
        switch index.isEmpty ? nil : root.value(atSegments: index) {
        case .string(let s)?: indices = s.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        case .array(let items)?: indices = items.compactMap(\.scalarText).filter { !$0.isEmpty }
        default: break
        }
        return SearchQuery(position: request.position, time: request.time, origin: .audit, indices: indices, body: text,
                           requestID: request.requestID, traceID: request.traceID)
    }

    /// Compact JSON text of a logged value (the judge parses it again; values stay exact).
    static func compact(_ value: JSONValue, depth: Int = 0) -> String {
        guard depth < 512 else { return "null" }
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return quote(s)
        case .array(let items): return "[" + items.map { compact($0, depth: depth + 1) }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { quote($0.0) + ":" + compact($0.1, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
