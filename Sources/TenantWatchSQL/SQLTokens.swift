import CPgQuery
import Foundation

/// PostgreSQL's own lexer (libpg_query's `pg_query_scan`): where each token of a SQL text starts
/// and ends, and what it is. Used where a text must be cut at token boundaries without parsing
/// it — finding the literals to remove from another tenant's statement, which may span lines, use
/// `E'..\'..'` escapes or dollar quotes, and need not parse as a whole.
///
/// `pg_query_scan` returns a protobuf `ScanResult` (pg_query.proto); its wire format is decoded
/// here directly, as the protobuf-c headers its generated code needs are not installed.
public struct SQLToken: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `'..'`, `E'..'`, `$q$..$q$`, `U&'..'`.
        case string
        /// `B'0101'`, `X'1F'`.
        case bitString
        case number
        case comment
        case keyword
        case identifier
        case parameter
        case other
    }

    /// Byte offsets into the UTF-8 text.
    public var start: Int
    public var end: Int
    public var kind: Kind
    /// The token number of pg_query.proto's `Token` enum.
    public var token: Int
    /// pg_query.proto's `KeywordKind`: 0 none, 1 unreserved (a word such as `names` that is still
    /// a valid table name), 2 column name, 3 type or function name, 4 reserved.
    public var keywordKind: Int = 0

    /// An identifier, or an unreserved keyword used as one: what may name a table.
    public var mayNameTable: Bool { kind == .identifier || keywordKind == 1 }

    /// The bytes of `text` this token covers.
    public func text(in utf8: [UInt8]) -> String { String(decoding: utf8[start..<end], as: UTF8.self) }
}

public enum SQLTokens {
    /// Longer texts are not scanned (the caller cuts them whole): the scanner holds the text and
    /// its tokens in memory at once.
    public static let maximumLength = 4 << 20

    /// The tokens of `sql`, or nil when PostgreSQL's lexer refuses it (an unterminated literal or
    /// comment, a text cut short) or it is too long or holds a NUL byte.
    public static func scan(_ sql: String) -> [SQLToken]? {
        let bytes = Array(sql.utf8)
        guard bytes.count <= maximumLength, !bytes.contains(0) else { return nil }
        let result = pg_query_scan(sql)
        defer { pg_query_free_scan_result(result) }
        guard result.error == nil, let data = result.pbuf.data else { return nil }
        let buffer = UnsafeRawBufferPointer(start: data, count: Int(result.pbuf.len))
        guard var tokens = decode(buffer) else { return nil }
        for t in tokens where t.start < 0 || t.end > bytes.count || t.start > t.end { return nil }
        // libpg_query reports a `U&'...'` literal (USCONST) with an empty extent: it runs to the
        // next token (trailing blanks left out), so that the whole literal is found.
        for k in tokens.indices where tokens[k].end <= tokens[k].start {
            var end = k + 1 < tokens.count ? tokens[k + 1].start : bytes.count
            while end > tokens[k].start, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[end - 1]) { end -= 1 }
            tokens[k].end = end
        }
        return tokens
    }

    /// pg_query.proto `ScanResult { int32 version = 1; repeated ScanToken tokens = 2; }`,
    /// `ScanToken { int32 start = 1; int32 end = 2; Token token = 4; KeywordKind keyword_kind = 5; }`.
    package static func decode(_ b: UnsafeRawBufferPointer) -> [SQLToken]? {
        var reader = ProtobufReader(bytes: b, position: 0, end: b.count)
        var out: [SQLToken] = []
        while !reader.atEnd {
            guard let (field, wire) = reader.key() else { return nil }
            if field == 2 && wire == 2 {
                guard let length = reader.varint(), var sub = reader.sub(Int(length)) else { return nil }
                var start = 0, end = 0, token = 0, keyword = 0
                while !sub.atEnd {
                    guard let (f, w) = sub.key() else { return nil }
                    if w == 0 {
                        guard let v = sub.varint() else { return nil }
                        switch f {
                        case 1: start = Int(Int32(truncatingIfNeeded: v))
                        case 2: end = Int(Int32(truncatingIfNeeded: v))
                        case 4: token = Int(Int32(truncatingIfNeeded: v))
                        case 5: keyword = Int(Int32(truncatingIfNeeded: v))
                        default: break
                        }
                    } else if !sub.skip(wire: w) { return nil }
                }
                out.append(SQLToken(start: start, end: end, kind: kind(token: token, keyword: keyword), token: token, keywordKind: keyword))
            } else if !reader.skip(wire: wire) {
                return nil
            }
        }
        return out
    }

    /// pg_query.proto `Token` numbers (they follow PostgreSQL's gram.y).
    package static func kind(token: Int, keyword: Int) -> SQLToken.Kind {
        switch token {
        case 261, 262: return .string       // SCONST, USCONST
        case 263, 264: return .bitString    // BCONST, XCONST
        case 260, 266: return .number       // FCONST, ICONST
        case 275, 276: return .comment      // SQL_COMMENT, C_COMMENT
        case 258, 259: return .identifier   // IDENT, UIDENT
        case 267: return .parameter         // PARAM
        default: return keyword != 0 ? .keyword : .other
        }
    }
}

/// Just enough of the protobuf wire format for `ScanResult`.
package struct ProtobufReader {
    package let bytes: UnsafeRawBufferPointer
    package var position: Int
    package let end: Int

    package var atEnd: Bool { position >= end }

    package mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    package mutating func key() -> (Int, Int)? {
        guard let k = varint() else { return nil }
        return (Int(k >> 3), Int(k & 7))
    }

    package mutating func sub(_ length: Int) -> ProtobufReader? {
        guard length >= 0, position + length <= end else { return nil }
        defer { position += length }
        return ProtobufReader(bytes: bytes, position: position, end: position + length)
    }

    package mutating func skip(wire: Int) -> Bool {
        switch wire {
        case 0: return varint() != nil
        case 1: guard position + 8 <= end else { return false }; position += 8; return true
        case 2:
            guard let n = varint(), n <= UInt64(end - position) else { return false }
            position += Int(n)
            return true
        case 5: guard position + 4 <= end else { return false }; position += 4; return true
        default: return false
        }
    }
}
