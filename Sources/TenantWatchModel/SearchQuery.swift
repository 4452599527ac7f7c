/// One search a search backend (Elasticsearch, OpenSearch) ran, or an application says it sent:
/// the index (or indices, aliases) it went to and the query body exactly as logged.
///
/// The body is kept as the logged text, not as a tree: parsing it is the judge's work (a body the
/// judge cannot read is reported as unjudged, with the text, rather than lost in the parser).
/// The slow log is written per shard and per phase, so one search can come as several of these;
/// detection folds them by shape.
public struct SearchQuery: Sendable {
    /// Where the search was read from.
    public enum Origin: String, Sendable, Codable {
        /// Elasticsearch 8+/9 search slow log, ECS JSON (`elasticsearch.slowlog.*` keys).
        case slowLogECS = "slowlog_ecs"
        /// Elasticsearch 7 / OpenSearch search slow log, JSON layout (`"type": "index_search_slowlog"`).
        case slowLogJSON = "slowlog_json"
        /// The plain-text search slow log: `[index][shard] took[...], ... source[{...}], id[...]`.
        case slowLogText = "slowlog_text"
        /// An application audit line carrying the query body it sent (`[audit] search_body`).
        case audit
    }

    public var position: SourcePosition
    public var time: Timestamp?
    public var origin: Origin
    /// The index names as logged: the shard's concrete index for a slow log (an alias is never
    /// named there), what the application addressed for an audit line (indices, aliases,
    /// patterns, comma lists split). Empty when the line named none.
    public var indices: [String]
    /// The query body (`source`) as logged: one JSON object, or for an application's
    /// `_msearch` the NDJSON header/body lines (or a JSON array of bodies).
    public var body: String
    /// `X-Opaque-Id` (slow log `id`): by convention here the request's trace (a traceparent or
    /// bare trace id) or its request id. Nil when the header was not sent.
    public var opaqueID: String?
    /// For audit-origin searches: the request the line belongs to, known exactly.
    public var requestID: String?
    public var traceID: String?
    /// `query` or `fetch` for slow-log lines (from the logger name), nil when not said.
    public var phase: String?
    public var tookMillis: Int?
    /// Total hits as logged (`"12 hits"`, `12`, `"-1"` unknown): nil when not logged or unknown.
    public var totalHits: Int?

    public init(position: SourcePosition, time: Timestamp?, origin: Origin, indices: [String], body: String,
                opaqueID: String? = nil, requestID: String? = nil, traceID: String? = nil,
                phase: String? = nil, tookMillis: Int? = nil, totalHits: Int? = nil) {
        self.position = position
        self.time = time
        self.origin = origin
        self.indices = indices
        self.body = body
        self.opaqueID = opaqueID
        self.requestID = requestID
        self.traceID = traceID
        self.phase = phase
        self.tookMillis = tookMillis
        self.totalHits = totalHits
    }
}
