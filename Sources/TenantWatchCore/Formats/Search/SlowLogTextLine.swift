/// One plain-text search slow-log line, as log4j's pattern layout writes it:
///
///     [2030-08-30T11:59:37,786][WARN ][i.s.s.query              ] [node-0] [index6][0] took[78.4micros], took_millis[0], total_hits[0 hits], stats[], search_type[QUERY_THEN_FETCH], total_shards[1], source[{"query":{"match_all":{"boost":1.0}}}], id[MY_USER_ID],
///
/// Read left to right, byte by byte: three bracketed header fields, the node, the shard, then
/// `key[value]` pairs separated by `, `. `source[...]` holds a JSON object whose strings may
/// hold `]` and `, `, so its end is found by walking the JSON (strings and nesting), not by
/// looking for the next `]`.
enum SlowLogTextLine {
    static func read(_ line: UnsafeBufferPointer<UInt8>, position: SourcePosition) -> Result<SearchQuery, SlowLogLineError> {
        var i = 0
        let n = line.count
        func text(_ a: Int, _ b: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: line[a..<b]), as: UTF8.self) }
        /// `[...]` at `i` (no nesting); returns the inside and moves past the `]`.
        func bracketed() -> String? {
            guard i < n, line[i] == UInt8(ascii: "[") else { return nil }
            var j = i + 1
            while j < n, line[j] != UInt8(ascii: "]") { j += 1 }
            guard j < n else { return nil }
            defer { i = j + 1 }
            return text(i + 1, j)
        }
        func skipSpaces() { while i < n, line[i] == 0x20 { i += 1 } }

        guard let timeText = bracketed(), let time = SlowLogFields.time(timeText) else {
            return .failure(SlowLogLineError("expected [time] at the start"))
        }
        guard bracketed() != nil else { return .failure(SlowLogLineError("expected [LEVEL] after the time")) }
        guard let logger = bracketed() else { return .failure(SlowLogLineError("expected [logger] after the level")) }
        guard SlowLogFields.isSearchLogger(logger) else {
            return .failure(SlowLogLineError("logger \"\(TextSanitizer.oneLine(SlowLogFields.trim(logger)))\" is not the search slow log"))
        }
        skipSpaces()
        // `[node] [index][shard]`: the node is optional in some layouts; the shard is not.
        let save = i
        var index: String?
        if let first = bracketed() {
            if i < n, line[i] == UInt8(ascii: "["), let second = bracketed() {
                index = SlowLogFields.index(fromShardID: "[\(first)][\(second)]")
            } else {
                skipSpaces()
                let shardStart = i
                if bracketed() != nil, i < n, line[i] == UInt8(ascii: "["), bracketed() != nil {
                    index = SlowLogFields.index(fromShardID: text(shardStart, i))
                }
            }
        }
        guard let index else {
            i = save
            return .failure(SlowLogLineError("expected [index][shard] after the node"))
        }
        skipSpaces()
        // key[value], key[value], ...
        var fields: [String: String] = [:]
        var source: String?
        while i < n {
            let keyStart = i
            while i < n, (line[i] >= UInt8(ascii: "a") && line[i] <= UInt8(ascii: "z")) || line[i] == UInt8(ascii: "_") { i += 1 }
            guard i > keyStart, i < n, line[i] == UInt8(ascii: "[") else {
                return .failure(SlowLogLineError("expected key[value] at byte \(keyStart + 1)"))
            }
            let key = text(keyStart, i)
            i += 1
            let valueStart = i
            if key == "source" || key == "extra_source" {
                if i < n, line[i] == UInt8(ascii: "]") {
                    if key == "source" { source = "{}" }
                } else {
                    guard let end = JSONExtent.end(of: line, from: i) else {
                        return .failure(SlowLogLineError("\(key)[...] does not hold one complete JSON value (cut off?)"))
                    }
                    if key == "source" { source = text(valueStart, end) }
                    i = end
                }
                guard i < n, line[i] == UInt8(ascii: "]") else {
                    return .failure(SlowLogLineError("unexpected text after the JSON in \(key)[...]"))
                }
            } else {
                // Plain values hold no `]` except `stats[a, b]`-style lists, which hold none either.
                while i < n, line[i] != UInt8(ascii: "]") { i += 1 }
                guard i < n else { return .failure(SlowLogLineError("\(key)[ is not closed")) }
                fields[key] = text(valueStart, i)
            }
            i += 1   // past `]`
            // `, ` between pairs; a trailing `,` (and spaces) ends the line.
            if i < n, line[i] == UInt8(ascii: ",") { i += 1 }
            skipSpaces()
        }
        guard let source else { return .failure(SlowLogLineError("no source[...] (the query body)")) }
        let opaque = fields["id"].flatMap { $0.isEmpty ? nil : $0 }
        return .success(SearchQuery(position: position, time: time, origin: .slowLogText, indices: [index], body: source,
                                    opaqueID: opaque, phase: SlowLogFields.phase(fromLogger: logger),
                                    tookMillis: SlowLogFields.integer(fields["took_millis"]),
                                    totalHits: SlowLogFields.totalHits(fields["total_hits"])))
    }
}

/// Where the JSON value starting at `from` ends (the index just past it): strings with their
/// escapes and nesting of objects and arrays are followed; the value is not validated here
/// (the judge parses it), only delimited. Nil when the line ends first.
enum JSONExtent {
    static func end(of b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        let n = b.count
        guard i < n, b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[") else { return nil }
        var depth = 0
        var inString = false
        while i < n {
            let c = b[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
            } else {
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
            }
            i += 1
        }
        return nil
    }
}
