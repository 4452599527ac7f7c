/// Tells a search slow-log line from the other kinds, for `SourceKindDetector`: the JSON
/// shapes carry `elasticsearch.slowlog.` keys or `"type": "index_search_slowlog"`; the plain
/// text one names the search slow-log logger in its third bracket.
enum SearchSlowLogShape {
    static func kind(of line: [UInt8]) -> SourceKind? {
        guard let first = line.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return nil }
        let head = String(decoding: line.prefix(8192), as: UTF8.self)
        if first == UInt8(ascii: "{") {
            if head.contains("\"elasticsearch.slowlog.") && !head.contains("index_indexing_slowlog") { return .search }
            if head.contains("\"index_search_slowlog\"") { return .search }
            return nil
        }
        // `[time][LEVEL][i.s.s.query ...]` or `[index.search.slowlog.query]`.
        if head.contains("][i.s.s.query") || head.contains("][i.s.s.fetch") || head.contains("][index.search.slowlog.") {
            return .search
        }
        return nil
    }
}
