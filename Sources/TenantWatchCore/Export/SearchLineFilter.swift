/// Search evidence in a bundle: a slow-log line (any of its three shapes) or a search body.
///
/// A query body is another party's request data (its search words, ids, emails) whoever's
/// tenant it names, so, as Redis values are, its values are always cut: the body keeps its
/// shape (keys and structure, which show the missing or wrong tenant filter) and only values that
/// are exactly a tenant id, pseudonymised. The other fields of a JSON slow-log line keep
/// their scalars (time, index, took, hits, X-Opaque-Id), masked and pseudonymised; a plain-text
/// line keeps its text before `source[` and after the body. Each cut says so with the marker.
enum SearchLineFilter {
    /// The body keys of the JSON shapes.
    static let bodyKeys: Set<String> = ["source", "elasticsearch.slowlog.source"]

    /// nil when `line` is not a search slow-log line.
    static func line(_ line: String, filter: RowDataFilter) -> (text: String, cut: Bool)? {
        guard SearchSlowLogShape.kind(of: Array(line.utf8)) == .search else { return nil }
        if line.first == "{" {
            guard case .object(let members)? = try? JSONParser.parse(line) else { return (RowDataFilter.marker, true) }
            var out: [(String, JSONValue)] = []
            for (k, v) in members {
                if bodyKeys.contains(k), case .string(let body) = v {
                    out.append((k, .string(self.body(SlowLogJSONLine.unescapedSource(body), filter: filter))))
                } else if v.scalarText != nil || v == .null {
                    out.append((k, v.scalarText.map { .string(filter.text($0)) } ?? .null))
                }
            }
            return (AuditSearchPaths.compact(.object(out)), true)
        }
        // Plain text: `... source[{...}], id[...],`
        let bytes = Array(line.utf8)
        guard let start = find(Array("source[".utf8), in: bytes) else { return (RowDataFilter.marker, true) }
        let open = start + 7
        let end: Int? = bytes.withUnsafeBufferPointer { JSONExtent.end(of: $0, from: open) }
        guard let end else { return (filter.text(String(decoding: bytes[..<open], as: UTF8.self)) + RowDataFilter.marker + "]", true) }
        let head = String(decoding: bytes[..<open], as: UTF8.self)
        let bodyText = String(decoding: bytes[open..<end], as: UTF8.self)
        let tail = String(decoding: bytes[end...], as: UTF8.self)
        return (filter.text(head) + body(bodyText, filter: filter) + filter.text(tail), true)
    }

    /// A body with every value cut but tenant ids (pseudonymised); the marker when it is not JSON.
    static func body(_ text: String, filter: RowDataFilter) -> String {
        guard let value = try? JSONParser.parse(text) else { return RowDataFilter.marker }
        return AuditSearchPaths.compact(shape(value, filter: filter, depth: 0)) + " " + RowDataFilter.marker
    }

    private static func shape(_ v: JSONValue, filter: RowDataFilter, depth: Int) -> JSONValue {
        guard depth < 64 else { return .string("?") }
        switch v {
        case .object(let members): return .object(members.map { ($0.0, shape($0.1, filter: filter, depth: depth + 1)) })
        case .array(let items): return .array(items.map { shape($0, filter: filter, depth: depth + 1) })
        case .null: return .null
        case .bool: return v
        default:
            guard let s = v.scalarText else { return .string("?") }
            return filter.pseudonymizer.isTenantID(s) ? .string(filter.pseudonymizer.apply(s)) : .string("?")
        }
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
