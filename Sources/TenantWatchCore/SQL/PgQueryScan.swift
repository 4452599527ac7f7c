import CPgQuery

/// PostgreSQL's own lexer (libpg_query's `pg_query_scan`): the tokens of a text that need not
/// parse. Used to name the tables an unparseable statement mentions (`unjudged_statement`).
extension PgQuery {
    /// One token: its byte range in the text, its kind (`Token` of pg_query.proto: 258 is an
    /// identifier, 46 a `.`), and whether it is a keyword that may also name a table.
    struct ScanToken: Equatable {
        var start: Int
        var end: Int
        var token: Int
        var keywordKind: Int

        static let identifier = 258
        static let dot = 46
        /// `UNRESERVED_KEYWORD`: a word such as `names` that is still a valid table name.
        static let unreservedKeyword = 1
    }

    /// The tokens of `sql`, nil when the scanner rejects it (an unterminated quote or comment,
    /// which a statement cut at the line cap usually has) or it is over `maximumStatementBytes`.
    static func scan(_ sql: String) -> [ScanToken]? {
        guard sql.utf8.count <= maximumStatementBytes else { return nil }
        let result = pg_query_scan(sql)
        defer { pg_query_free_scan_result(result) }
        guard result.error == nil, let data = result.pbuf.data else { return nil }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: result.pbuf.len)
        return ProtobufReader.scanTokens(bytes)
    }

    /// The tables `sql` names (`t`, `s.t`, `"T"`), by PostgreSQL's lexer: every identifier, or
    /// dotted run of them, that the caller's test accepts. Which of those are tables is not
    /// known without a parse tree, so the caller checks them against what it knows to be tables.
    static func namedTables(_ sql: String, where accept: (TableName) -> Bool) -> [TableName]? {
        guard let tokens = scan(sql) else { return nil }
        let utf8 = Array(sql.utf8)
        func word(_ t: ScanToken) -> String? {
            guard t.token == ScanToken.identifier || t.keywordKind == ScanToken.unreservedKeyword,
                  t.start >= 0, t.end <= utf8.count, t.start < t.end else { return nil }
            return TableName.foldIdentifier(String(decoding: utf8[t.start..<t.end], as: UTF8.self))
        }
        var found: [TableName] = []
        var i = 0
        while i < tokens.count {
            guard var last = word(tokens[i]) else { i += 1; continue }
            var qualifier: String? = nil
            var j = i + 1
            // `a.b.c`: the last two parts are schema and table (a column reference reads the same;
            // the caller's test tells them apart).
            while j + 1 < tokens.count, tokens[j].token == ScanToken.dot, let next = word(tokens[j + 1]) {
                qualifier = last
                last = next
                j += 2
            }
            for candidate in [TableName(schema: qualifier, name: last), TableName(name: last)] where accept(candidate) {
                if !found.contains(candidate) { found.append(candidate) }
                break
            }
            i = j
        }
        return found.sorted()
    }
}

/// Just enough of the protobuf wire format for `ScanResult` (pg_query.proto): varints and
/// length-delimited fields; anything else ends the read.
private enum ProtobufReader {
    static func varint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) -> UInt64? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while i < end, shift < 64 {
            let c = b[i]
            i += 1
            v |= UInt64(c & 0x7f) << shift
            if c & 0x80 == 0 { return v }
            shift += 7
        }
        return nil
    }

    static func scanTokens(_ b: UnsafeBufferPointer<UInt8>) -> [PgQuery.ScanToken]? {
        var tokens: [PgQuery.ScanToken] = []
        var i = 0
        while i < b.count {
            guard let key = varint(b, &i, b.count) else { return nil }
            switch key & 7 {
            case 0: guard varint(b, &i, b.count) != nil else { return nil }
            case 2:
                guard let len = varint(b, &i, b.count), len <= UInt64(b.count - i) else { return nil }
                let end = i + Int(len)
                if key >> 3 == 2 {
                    var t = PgQuery.ScanToken(start: 0, end: 0, token: 0, keywordKind: 0)
                    while i < end {
                        guard let k = varint(b, &i, end), k & 7 == 0, let v = varint(b, &i, end) else { return nil }
                        let value = Int(truncatingIfNeeded: Int32(truncatingIfNeeded: v))
                        switch k >> 3 {
                        case 1: t.start = value
                        case 2: t.end = value
                        case 4: t.token = value
                        case 5: t.keywordKind = value
                        default: break
                        }
                    }
                    tokens.append(t)
                }
                i = end
            default: return nil
            }
        }
        return tokens
    }
}
