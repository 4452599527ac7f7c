/// Reads Elasticsearch and OpenSearch **search slow logs** (source kind `search`), one search
/// per line, in the three shapes the servers write:
///
/// - Elasticsearch 8/9, ECS JSON (`*_index_search_slowlog.json`): `@timestamp`,
///   `elasticsearch.slowlog.message` (`[index][shard]`), `elasticsearch.slowlog.source`,
///   `elasticsearch.slowlog.id` (X-Opaque-Id), `took_millis`, `total_hits` (`"1 hits"`),
///   `log.logger` (`index.search.slowlog.query` / `.fetch`).
/// - Elasticsearch 7 and OpenSearch, JSON layout: `"type": "index_search_slowlog"`, `timestamp`,
///   `component` (`i.s.s.query` / `i.s.s.fetch`), `message` (`[index][shard]`), `source`, `id`,
///   `took_millis`, `total_hits`.
/// - Plain text (`*_index_search_slowlog.log`, any version):
///   `[time][LEVEL][i.s.s.query] [node] [index][shard] took[...], took_millis[...], ... source[{...}], id[...],`
///   (older servers write `index.search.slowlog.query` and `extra_source[...]`).
///
/// Strict: a line that is none of these — a JSON line of another logger (the indexing slow
/// log), a plain line without `[index][shard]` or `source[...]`, a `source` that is not one JSON
/// value — becomes `.unparsed` with its position and why; blank lines are skipped. The query
/// body is not judged here (see `SearchBodyJudge`); it is kept as the text the server wrote.
public struct SearchSlowLogParser: LogParser {
    public let file: String
    /// Lines turned into `.searchQuery`.
    public private(set) var searches = 0
    /// Lines turned into `.unparsed`.
    public private(set) var unparsedLines = 0

    public init(file: String) { self.file = file }

    /// Milliseconds: every shape logs the time to the millisecond.
    public var mergeOrder: MergeOrder { MergeOrder(precision: 1000) }

    public mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        var start = 0, end = line.count
        while end > start, line[end - 1] == 0x0D || line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        if start == end { return }
        let position = SourcePosition(file: file, line: lineNumber)
        let body = UnsafeBufferPointer(rebasing: line[start..<end])
        let result: Result<SearchQuery, SlowLogLineError>
        switch body[0] {
        case UInt8(ascii: "{"): result = SlowLogJSONLine.read(body, position: position)
        case UInt8(ascii: "["): result = SlowLogTextLine.read(body, position: position)
        default: result = .failure(SlowLogLineError("neither a JSON slow-log record nor a [time][LEVEL][logger] line"))
        }
        switch result {
        case .success(let query):
            searches += 1
            events.append(.searchQuery(query))
        case .failure(let error):
            unparsedLines += 1
            events.append(.unparsed(UnparsedLine(position: position, reason: "search slow log: " + error.reason)))
        }
    }

    public mutating func finish(into events: inout [Event]) {}
}

/// Why a slow-log line was not read.
struct SlowLogLineError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Pieces the three slow-log shapes share.
enum SlowLogFields {
    /// `[index][shard]` (a `ShardId` as the servers print it) → the index name. Index names
    /// cannot hold `[` or `]`, so the first `]` ends the name.
    static func index(fromShardID text: String) -> String? {
        let u = Array(text.utf8)
        guard u.count >= 5, u.first == UInt8(ascii: "["), u.last == UInt8(ascii: "]") else { return nil }
        guard let split = u.indices.dropFirst().first(where: { u[$0] == UInt8(ascii: "]") }),
              split + 1 < u.count - 1, u[split + 1] == UInt8(ascii: "[") else { return nil }
        let name = u[1..<split]
        let shard = u[(split + 2)..<(u.count - 1)]
        guard !name.isEmpty, !shard.isEmpty, shard.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    /// `"12 hits"`, `"12+ hits"`, `12`, `"-1"`: the number of hits, nil when unknown.
    static func totalHits(_ text: String?) -> Int? {
        guard let text else { return nil }
        let digits = text.utf8.prefix { $0 &- 48 < 10 }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    static func integer(_ text: String?) -> Int? {
        guard let text, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        return Int(text)
    }

    /// The servers write `2030-08-30T11:59:37,786+02:00` (a comma before the milliseconds) or
    /// `2015-04-07 13:18:55,920`; no zone is the server's local time, read as UTC.
    static func time(_ text: String) -> Timestamp? {
        var bytes = Array(text.utf8)
        // Only a comma right after the seconds (`HH:MM:SS,mmm`) is a decimal comma.
        if bytes.count > 19, bytes[19] == UInt8(ascii: ",") { bytes[19] = UInt8(ascii: ".") }
        return AuditTimestamp.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// `query` / `fetch` from a logger or component name (`index.search.slowlog.query`, `i.s.s.fetch`).
    static func phase(fromLogger name: String) -> String? {
        let trimmed = trim(name)
        if trimmed.hasSuffix(".query") { return "query" }
        if trimmed.hasSuffix(".fetch") { return "fetch" }
        return nil
    }

    /// Whether a logger/component name is the search slow log's (and not the indexing one's).
    /// Without the spaces log4j pads a bracketed logger name with.
    static func trim(_ text: String) -> String {
        var s = Substring(text)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    static func isSearchLogger(_ name: String) -> Bool {
        let n = trim(name)
        return n == "index.search.slowlog.query" || n == "index.search.slowlog.fetch"
            || n == "i.s.s.query" || n == "i.s.s.fetch"
            || n == "index.search.slowlog"
    }
}
