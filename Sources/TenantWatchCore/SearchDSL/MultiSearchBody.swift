/// Splits what an application logged as its search body into the searches it holds:
///
/// - one JSON object: one search;
/// - a JSON array of objects: one search each (a client's `msearch` list of bodies), or
///   header/body pairs when every even item is a header (`index` and the like, no `query`);
/// - NDJSON text (an `_msearch` body): header line, body line, header, body, ...; a header's
///   `index` names that search's indices.
///
/// Each part is `(indices named by its header or nil, body)`. A body that is none of these is
/// one part holding the text as it is (the judge reports it unjudged).
enum MultiSearchBody {
    struct Part {
        var indices: [String]?
        var body: JSONValue?
        var text: String
        var parseError: String?
    }

    static let headerKeys: Set<String> = ["index", "indices", "search_type", "preference", "routing", "request_cache",
                                          "allow_no_indices", "expand_wildcards", "ignore_unavailable", "allow_partial_search_results",
                                          "ccs_minimize_roundtrips", "max_concurrent_shard_requests"]

    static func parts(of text: String, depth: Int = 0) -> [Part] {
        if let whole = try? JSONParser.parse(text) {
            if case .string(let inner) = whole, depth < 2 { return parts(of: inner, depth: depth + 1) }
            return parts(of: whole, text: text)
        }
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
            .filter { !$0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }
        if lines.count > 1 {
            var values: [(JSONValue, String)] = []
            for line in lines {
                guard let v = try? JSONParser.parse(line) else { return [single(text)] }
                values.append((v, line))
            }
            return pairs(values)
        }
        return [single(text)]
    }

    static func parts(of value: JSONValue, text: String) -> [Part] {
        if case .array(let items) = value {
            let texts = items.map { DSLText.compact($0) }
            let isPairs = items.count % 2 == 0 && stride(from: 0, to: items.count, by: 2).allSatisfy { isHeader(items[$0]) }
            if isPairs { return pairs(Array(zip(items, texts))) }
            return zip(items, texts).map { Part(indices: nil, body: $0.0, text: $0.1) }
        }
        return [Part(indices: nil, body: value, text: text)]
    }

    private static func single(_ text: String) -> Part {
        do {
            return Part(indices: nil, body: try JSONParser.parse(text), text: text)
        } catch {
            return Part(indices: nil, body: nil, text: text, parseError: "\(error)")
        }
    }

    private static func pairs(_ values: [(JSONValue, String)]) -> [Part] {
        var out: [Part] = []
        var k = 0
        while k < values.count {
            let (header, _) = values[k]
            guard k + 1 < values.count else {
                out.append(Part(indices: nil, body: nil, text: values[k].1, parseError: "an _msearch header without its body line"))
                break
            }
            out.append(Part(indices: indexNames(header["index"] ?? header["indices"]), body: values[k + 1].0, text: values[k + 1].1))
            k += 2
        }
        return out
    }

    static func isHeader(_ v: JSONValue) -> Bool {
        guard case .object(let members) = v else { return false }
        return members.allSatisfy { headerKeys.contains($0.0) }
    }

    /// `"a,b"`, `["a", "b"]` → `["a", "b"]`.
    static func indexNames(_ value: JSONValue?) -> [String]? {
        switch value {
        case .string(let s)?: return s.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        case .array(let items)?: return items.compactMap(\.scalarText).flatMap { $0.split(separator: ",").map { String($0.filter { $0 != " " }) } }
        default: return nil
        }
    }
}

/// Compact JSON text of a value (for bodies an audit line held as objects).
enum DSLText {
    static func compact(_ value: JSONValue, depth: Int = 0) -> String {
        guard depth < 256 else { return "null" }
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return DSLShape.quote(s)
        case .array(let items): return "[" + items.map { compact($0, depth: depth + 1) }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { DSLShape.quote($0.0) + ":" + compact($0.1, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }
}
