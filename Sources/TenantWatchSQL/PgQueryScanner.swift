import CPgQuery

/// libpg_query's scanner (`pg_query_scan`): the tokens of a text as PostgreSQL's lexer sees them,
/// each with its byte range, so that code which must find a place in SQL (the `AS` that starts a
/// `PREPARE`'s body) asks the lexer instead of searching the text by hand.
///
/// The scanner answers in protobuf (`ScanResult { repeated ScanToken tokens = 2 }`, `ScanToken
/// { int32 start = 1; int32 end = 2; Token token = 4; KeywordKind keyword_kind = 5 }`); only
/// those fields are read here, with a few lines of varint decoding rather than generated code.
public enum PgQueryScanner {
    public struct Token: Sendable, Equatable {
        /// Byte offsets into the scanned text's UTF-8.
        public var start: Int
        public var end: Int
        /// libpg_query's `Token` enum value.
        public var token: Int
        /// 0 none, 1 unreserved, 2 column name, 3 type/function name, 4 reserved.
        public var keywordKind: Int
        public var isKeyword: Bool { keywordKind != 0 }
    }

    /// The tokens of `sql`; nil when the lexer rejects the text (an unterminated quote).
    public static func scan(_ sql: String) -> [Token]? {
        let result = pg_query_scan(sql)
        defer { pg_query_free_scan_result(result) }
        guard result.error == nil, let data = result.pbuf.data else { return nil }
        let buffer = UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: Int(result.pbuf.len))
        return decode(buffer.bindMemory(to: UInt8.self))
    }

    package static func decode(_ b: UnsafeBufferPointer<UInt8>) -> [Token]? {
        var tokens: [Token] = []
        var i = 0
        while i < b.count {
            guard let key = varint(b, &i) else { return nil }
            let field = key >> 3, wire = key & 7
            if field == 2 && wire == 2 {
                guard let len = varint(b, &i), len >= 0, i + len <= b.count else { return nil }
                guard let t = token(UnsafeBufferPointer(rebasing: b[i..<(i + len)])) else { return nil }
                tokens.append(t)
                i += len
            } else if !skip(wire, b, &i) {
                return nil
            }
        }
        return tokens
    }

    private static func token(_ b: UnsafeBufferPointer<UInt8>) -> Token? {
        var t = Token(start: 0, end: 0, token: 0, keywordKind: 0)
        var i = 0
        while i < b.count {
            guard let key = varint(b, &i) else { return nil }
            let field = key >> 3, wire = key & 7
            if wire == 0 {
                guard let v = varint(b, &i) else { return nil }
                switch field {
                case 1: t.start = v
                case 2: t.end = v
                case 4: t.token = v
                case 5: t.keywordKind = v
                default: break
                }
            } else if !skip(wire, b, &i) {
                return nil
            }
        }
        return t
    }

    private static func skip(_ wire: Int, _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        switch wire {
        case 0: return varint(b, &i) != nil
        case 1: i += 8
        case 2:
            guard let len = varint(b, &i), len >= 0 else { return false }
            i += len
        case 5: i += 4
        default: return false
        }
        return i <= b.count
    }

    private static func varint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count, shift < 64 {
            let c = b[i]
            i += 1
            v |= UInt64(c & 0x7F) << shift
            if c & 0x80 == 0 { return Int(truncatingIfNeeded: v) }
            shift += 7
        }
        return nil
    }
}
