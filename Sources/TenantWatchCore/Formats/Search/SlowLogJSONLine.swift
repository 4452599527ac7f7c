/// One JSON search slow-log record: Elasticsearch 8+ ECS keys, or the Elasticsearch 7 /
/// OpenSearch layout. Keys are flat (`"elasticsearch.slowlog.source"` is one key, not a path).
enum SlowLogJSONLine {
    static func read(_ line: UnsafeBufferPointer<UInt8>, position: SourcePosition) -> Result<SearchQuery, SlowLogLineError> {
        let root: JSONValue
        do {
            root = try JSONParser.parse(line)
        } catch {
            return .failure(SlowLogLineError("not valid JSON (\(error))"))
        }
        guard case .object = root else { return .failure(SlowLogLineError("a JSON line that is not an object")) }
        if root["elasticsearch.slowlog.source"] != nil || root["elasticsearch.slowlog.message"] != nil {
            return ecs(root, position: position)
        }
        if case .string(let type)? = root["type"] {
            guard type == "index_search_slowlog" else {
                return .failure(SlowLogLineError("a \"\(TextSanitizer.oneLine(type))\" record, not a search slow log"))
            }
            return layout(root, position: position)
        }
        return .failure(SlowLogLineError("a JSON line without elasticsearch.slowlog.* keys or \"type\": \"index_search_slowlog\""))
    }

    /// Elasticsearch 8/9: `@timestamp`, `log.logger`, `elasticsearch.slowlog.*`.
    private static func ecs(_ root: JSONValue, position: SourcePosition) -> Result<SearchQuery, SlowLogLineError> {
        let logger = root["log.logger"]?.scalarText ?? root["event.dataset"]?.scalarText ?? ""
        if logger.contains("indexing") {
            return .failure(SlowLogLineError("an indexing slow-log record (\(TextSanitizer.oneLine(logger))), not a search"))
        }
        if !logger.isEmpty, !SlowLogFields.isSearchLogger(logger), logger != "elasticsearch.index_search_slowlog" {
            return .failure(SlowLogLineError("logger \"\(TextSanitizer.oneLine(logger))\" is not the search slow log"))
        }
        return common(root, position: position, origin: .slowLogECS, timeKey: "@timestamp",
                      prefix: "elasticsearch.slowlog.", indexKey: "elasticsearch.index.name", phaseFrom: root["log.logger"]?.scalarText)
    }

    /// Elasticsearch 7 / OpenSearch: `type`, `timestamp`, `component`, `message`, `source`, `id`.
    private static func layout(_ root: JSONValue, position: SourcePosition) -> Result<SearchQuery, SlowLogLineError> {
        common(root, position: position, origin: .slowLogJSON, timeKey: "timestamp", prefix: "",
               indexKey: nil, phaseFrom: root["component"]?.scalarText)
    }

    /// Elasticsearch 8.x escapes the body for JSON before its ECS layout escapes the whole field
    /// again (Filebeat's es814 capture), so decoding the line leaves the body with its quotes
    /// still escaped (backslash, quote). Such a body is decoded once more; a body that is JSON
    /// already (7.x, OpenSearch, the 8.x reference example) is kept as it is.
    static func unescapedSource(_ source: String) -> String {
        guard source.hasPrefix("{\\\""), (try? JSONParser.parse(source)) == nil,
              case .string(let inner)? = try? JSONParser.parse("\"" + source + "\"") else { return source }
        return inner
    }

    private static func common(_ root: JSONValue, position: SourcePosition, origin: SearchQuery.Origin, timeKey: String,
                               prefix: String, indexKey: String?, phaseFrom: String?) -> Result<SearchQuery, SlowLogLineError> {
        guard case .string(let timeText)? = root[timeKey] else {
            return .failure(SlowLogLineError("no \(timeKey)"))
        }
        guard let time = SlowLogFields.time(timeText) else {
            return .failure(SlowLogLineError("unreadable \(timeKey) \"\(TextSanitizer.oneLine(timeText))\""))
        }
        var index: String?
        if case .string(let message)? = root[prefix + "message"] { index = SlowLogFields.index(fromShardID: message) }
        if index == nil, let key = indexKey, case .string(let name)? = root[key], !name.isEmpty { index = name }
        guard let index else {
            return .failure(SlowLogLineError("no [index][shard] in \(prefix)message"))
        }
        guard let sourceValue = root[prefix + "source"] else {
            return .failure(SlowLogLineError("no \(prefix)source (the query body)"))
        }
        guard case .string(let source) = sourceValue else {
            return .failure(SlowLogLineError("\(prefix)source is not a string"))
        }
        var opaque: String?
        if case .string(let id)? = root[prefix + "id"], !id.isEmpty { opaque = id }
        // Elasticsearch 8 takes the W3C `traceparent` of the request and logs its trace id.
        var trace: String?
        if case .string(let t)? = root["trace.id"], !t.isEmpty { trace = t }
        return .success(SearchQuery(position: position, time: time, origin: origin, indices: [index],
                                    body: source.isEmpty ? "{}" : unescapedSource(source), opaqueID: opaque, traceID: trace,
                                    phase: phaseFrom.flatMap(SlowLogFields.phase(fromLogger:)),
                                    tookMillis: SlowLogFields.integer(root[prefix + "took_millis"]?.scalarText),
                                    totalHits: SlowLogFields.totalHits(root[prefix + "total_hits"]?.scalarText)))
    }
}
