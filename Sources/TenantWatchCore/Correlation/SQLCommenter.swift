import Foundation
import TenantWatchSQL

/// The request context an ORM or driver appended to a statement as a sqlcommenter comment:
/// `SELECT ... /*request_id='req-1',traceparent='00-4e05...-01'*/`.
///
/// This is what ties a statement to the HTTP request (and so to the caller) that issued it.
public struct StatementTags: Sendable, Equatable {
    /// Keys and decoded values in the order written. A list rather than a dictionary: a tag
    /// comment holds a handful of keys, read once or twice each, and building a dictionary per
    /// tagged statement (hashing every key) cost more than all the lookups together.
    private var pairs: [(key: String, value: String)]

    public init(values: [String: String] = [:]) { self.init(pairs: values.map { ($0.key, $0.value) }) }
    init(pairs: [(key: String, value: String)]) {
        self.pairs = pairs
        var traceparent: String?
        for pair in pairs.reversed() where pair.key == "traceparent" { traceparent = pair.value; break }
        traceID = traceparent.flatMap(TraceContext.traceID(from:))
    }

    /// Every key and its decoded value, from the last tag comment of the statement (a key
    /// written twice keeps its last value).
    public var values: [String: String] { Dictionary(pairs, uniquingKeysWith: { _, last in last }) }

    /// The value of `key`, the last one written.
    public subscript(key: String) -> String? {
        for pair in pairs.reversed() where pair.key == key { return pair.value }
        return nil
    }

    public static func == (a: StatementTags, b: StatementTags) -> Bool { a.values == b.values }

    public var isEmpty: Bool { pairs.isEmpty }
    public var traceparent: String? { self["traceparent"] }
    /// `request_id`, else `requestid`, else `request-id` (each its last value). One pass over the
    /// pairs, keys told apart by length and first byte before any comparison: it is read for
    /// every tagged statement, and three scans of string comparisons were ~3% of the consuming
    /// thread on a log where every statement is tagged.
    public var requestID: String? {
        var best: (rank: Int, value: String)?
        for pair in pairs.reversed() {
            let k = pair.key.utf8
            guard k.count == 9 || k.count == 10, k.first == UInt8(ascii: "r") else { continue }
            let rank = pair.key == "request_id" ? 0 : pair.key == "requestid" ? 1 : pair.key == "request-id" ? 2 : 3
            if rank == 0 { return pair.value }
            if rank < 3, rank < (best?.rank ?? 3) { best = (rank, pair.value) }
        }
        return best?.value
    }
    public var route: String? { self["route"] ?? self["controller"].map { c in self["action"].map { "\(c)#\($0)" } ?? c } }
    public var application: String? { self["application"] ?? self["app"] }
    /// A background job's name (`job`), when the statement was tagged by one.
    public var job: String? { self["job"] }
    /// The trace id: the second field of a W3C traceparent, or a bare 32-hex id. Read once, when
    /// the tags are made: the correlator and the pipeline each ask for it per tagged statement,
    /// and validating the 32 hex digits into a new String each time was ~5% of the consuming
    /// thread on a log where every statement is tagged.
    public let traceID: String?
}

/// W3C trace context helpers shared by SQL tags and audit logs.
public enum TraceContext {
    /// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>` → the trace id, lower-cased; a bare
    /// 32-hex id is returned as is. Anything else (or the all-zero invalid id) gives `nil`.
    public static func traceID(from value: String) -> String? {
        // Byte-level: it runs for every tagged statement and every audit line.
        var v = value
        return v.withUTF8 { u -> String? in
            let n = u.count
            var start = 0
            if n >= 55, u[2] == UInt8(ascii: "-") {
                start = 3          // 00-<32 hex>-<16 hex>-<2 hex>
                guard n > start + 32, u[start + 32] == UInt8(ascii: "-") else { return nil }
            } else if n != 32 {
                return nil
            }
            var allZero = true
            var upper = false
            for i in 0..<32 {
                let c = u[start + i]
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): break
                case UInt8(ascii: "A")...UInt8(ascii: "F"): upper = true
                default: return nil
                }
                if c != UInt8(ascii: "0") { allZero = false }
            }
            if allZero { return nil }
            let id = UnsafeBufferPointer(rebasing: u[start..<(start + 32)])
            // Ids are lower-case as written nearly always: then the bytes are taken as they are.
            guard upper else { return String(decoding: id, as: UTF8.self) }
            return String(decoding: id.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") ? $0 | 0x20 : $0 },
                          as: UTF8.self)
        }
    }
}

/// Finds and decodes sqlcommenter comments.
///
/// The comments are found by `StatementShape`'s lexer (string literals, quoted identifiers,
/// dollar quotes and `--` comments are skipped, so a `/*` inside a literal is never mistaken for
/// a tag); the SQL itself is left to libpg_query.
public enum SQLCommenter {
    public static func tags(in sql: String) -> StatementTags {
        // Fast exit: most statements carry no comment at all.
        guard sql.utf8.contains(UInt8(ascii: "*")) else { return StatementTags() }
        return tags(fromComments: StatementShape.of(sql).comments)
    }

    /// Tags from comment bodies already found (by `StatementShape`): the last one that parses.
    public static func tags(fromComments bodies: [String]) -> StatementTags {
        for body in bodies.reversed() {
            var text = body
            let parsed = text.withUTF8 { parse(bytes: $0) }
            if !parsed.isEmpty { return StatementTags(pairs: parsed) }
        }
        return StatementTags()
    }

    /// Decodes one comment body: the spec's `k='v',k2='v2'` or Rails' legacy `k:v,k2:v2`.
    /// Anything else (a prose comment, garbage) gives an empty result. Byte-level: it runs for
    /// every tagged statement.
    static func parse<S: StringProtocol>(_ body: S) -> [String: String] {
        var text = String(body)
        return Dictionary(text.withUTF8 { parse(bytes: $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The pairs in the order written; empty when the body is not a tag comment.
    private static func parse(bytes u: UnsafeBufferPointer<UInt8>) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        // Tag comments carry a handful of keys: one allocation instead of growing 1 → 2 → 4.
        result.reserveCapacity(4)
        var i = 0
        let n = u.count
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
        @inline(__always) func isKeyByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
        while i < n && isSpace(u[i]) { i += 1 }
        guard i < n else { return [] }
        while i < n {
            while i < n && isSpace(u[i]) { i += 1 }
            let keyStart = i
            while i < n && isKeyByte(u[i]) { i += 1 }
            let keyEnd = i
            while i < n && isSpace(u[i]) { i += 1 }
            guard keyEnd > keyStart, i < n, u[i] == UInt8(ascii: "=") || u[i] == UInt8(ascii: ":") else { return [] }
            let separator = u[i]
            i += 1
            let decoded: String
            if separator == UInt8(ascii: "=") {
                while i < n && isSpace(u[i]) { i += 1 }
                guard i < n, u[i] == UInt8(ascii: "'") else { return [] }
                i += 1
                var closed = false
                // A value without a backslash (nearly all) is decoded from the bytes in place.
                let valueStart = i
                while i < n && u[i] != UInt8(ascii: "'") && u[i] != UInt8(ascii: "\\") { i += 1 }
                if i < n && u[i] == UInt8(ascii: "'") {
                    decoded = percentDecode(UnsafeBufferPointer(rebasing: u[valueStart..<i]))
                    closed = true
                    i += 1
                } else {
                    var value = Array(u[valueStart..<i])
                    while i < n {
                        if u[i] == UInt8(ascii: "\\") && i + 1 < n { value.append(u[i + 1]); i += 2; continue }
                        if u[i] == UInt8(ascii: "'") { closed = true; i += 1; break }
                        value.append(u[i])
                        i += 1
                    }
                    decoded = percentDecode(value)
                }
                guard closed else { return [] }
            } else {
                var value: [UInt8] = []
                while i < n && u[i] != UInt8(ascii: ",") { value.append(u[i]); i += 1 }
                while let last = value.last, isSpace(last) { value.removeLast() }
                decoded = percentDecode(value)
            }
            let keyBytes = UnsafeBufferPointer(rebasing: u[keyStart..<keyEnd])
            var key = String(decoding: keyBytes, as: UTF8.self)
            if keyBytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { key = key.lowercased() }
            result.append((key, decoded))
            while i < n && isSpace(u[i]) { i += 1 }
            if i < n {
                guard u[i] == UInt8(ascii: ",") else { return [] }
                i += 1
            }
        }
        return result
    }

    /// URL-decoding that tolerates what real libraries write: Python's `%%` and stray `%`.
    static func percentDecode(_ s: String) -> String { percentDecode(Array(s.utf8)) }

    static func percentDecode(_ u: [UInt8]) -> String { u.withUnsafeBufferPointer { percentDecode($0) } }

    static func percentDecode(_ u: UnsafeBufferPointer<UInt8>) -> String {
        guard u.contains(UInt8(ascii: "%")) else { return String(decoding: u, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(u.count)
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < u.count {
            if u[i] == UInt8(ascii: "%") {
                if i + 1 < u.count && u[i + 1] == UInt8(ascii: "%") { bytes.append(u[i]); i += 2; continue }
                if i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) { bytes.append(h << 4 | l); i += 3; continue }
            }
            bytes.append(u[i]); i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
