/// The slow log writes one line per shard and per phase (query, fetch) of a single search: a
/// search over five shards is ten lines with the same body, index and X-Opaque-Id. They are
/// one search, so they are judged once; the repeats within `window` of log time are skipped.
/// Bounded: at most `capacity` recent searches are remembered.
public struct SearchShardLines: Sendable {
    public var window: Int64 = 2_000_000
    public var capacity = 4096
    private var seen: [Key: Int64] = [:]
    private var order: [Key] = []
    /// Lines skipped as another shard's or phase's line of a search already judged.
    public private(set) var repeats = 0

    struct Key: Hashable, Sendable {
        var index: [String]
        var body: String
        var opaque: String?
    }

    public init() {}

    /// True when this line is the first of its search (judge it), false for a repeat.
    public mutating func isFirst(_ q: SearchQuery) -> Bool {
        guard q.origin != .audit else { return true }
        let key = Key(index: q.indices, body: q.body, opaque: q.opaqueID)
        let t = q.time?.microseconds ?? 0
        if let last = seen[key], abs(t - last) <= window {
            repeats += 1
            return false
        }
        if seen[key] == nil {
            order.append(key)
            if order.count > capacity {
                let drop = order.count - capacity / 2
                for k in order.prefix(drop) { seen.removeValue(forKey: k) }
                order.removeFirst(drop)
            }
        }
        seen[key] = t
        return true
    }
}
