import Foundation

/// Everything that goes into a bundle passes through here: credentials masked, other tenants'
/// row data cut, other tenants' identifiers pseudonymised (in that order).
///
/// "Row data" is cut conservatively. A quoted log line, statement or bind list that names another
/// tenant anywhere is reduced to its metadata:
/// - SQL (statements, `parameters:` details): every string literal that is not exactly a tenant
///   id becomes `'[removed]'` (sqlcommenter comments are kept); a statement that carries rows
///   (`INSERT ... VALUES`, `UPDATE ... SET`, `COPY`) keeps only its leading words;
/// - JSON lines (audit, jsonlog): top-level scalars are kept (strings with their SQL literals
///   cut), nested values keep only numbers, booleans and tenant ids;
/// - Redis MONITOR lines: time, client, command and key; the values are cut. Values are also cut
///   from lines that name no tenant at all: a payload under a key without a tenant may be anyone's;
/// - any other line: replaced by the marker.
/// Each cut leaves `[row data of another tenant removed]`.
public struct RowDataFilter: Sendable {
    public static let marker = "[row data of another tenant removed]"
    public static let removedLiteral = "'[removed]'"

    public let pseudonymizer: Pseudonymizer
    public let masker: TokenMasker

    public init(pseudonymizer: Pseudonymizer, masker: TokenMasker = TokenMasker()) {
        self.pseudonymizer = pseudonymizer
        self.masker = masker
    }

    /// Text the tool wrote (summaries, messages, titles, notes): masked and pseudonymised.
    public func text(_ s: String) -> String { pseudonymizer.apply(masker.apply(s)) }
    public func text(_ s: String?) -> String? { s.map { text($0) } }

    /// A quoted source line; `cut` tells whether row data was removed.
    public func logLine(_ line: String) -> (text: String, cut: Bool) {
        let masked = masker.apply(line)
        let other = pseudonymizer.mentionsOther(masked)
        if let redis = RowDataFilter.redisParts(masked) {
            let metadataOnly = redis.args.count <= 2
                || ["\"CLIENT\"", "\"COMMAND\"", "\"SELECT\"", "\"PING\"", "\"INFO\""].contains(redis.args[0].uppercased())
            if !other && (metadataOnly || pseudonymizer.mentionsOwn(masked)) && !RowDataFilter.secretRedisCommand(redis.args.first) {
                return (pseudonymizer.apply(masked), false)
            }
            return (pseudonymizer.apply(redisMetadata(redis)), redis.args.count > 2 || other)
        }
        guard other else { return (pseudonymizer.apply(masked), false) }
        if masked.first == "{", let data = masked.data(using: .utf8),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            return (pseudonymizer.apply(jsonMetadata(object)), true)
        }
        return (pseudonymizer.apply(postgresMetadata(masked)), true)
    }

    /// One record's physical lines (a multi-line statement, say), judged as a whole: when any
    /// line names another tenant, the first line is cut like a single line and every continuation
    /// line has its SQL literals (or its rows) cut, even a line that names no tenant itself.
    public func record(_ lines: [String]) -> (lines: [String], cut: Int) {
        guard lines.count > 1 else {
            guard let line = lines.first else { return ([], 0) }
            let (t, c) = logLine(line)
            return ([t], c ? 1 : 0)
        }
        let masked = lines.map(masker.apply)
        guard masked.contains(where: pseudonymizer.mentionsOther) else {
            return (masked.map(pseudonymizer.apply), 0)
        }
        var out: [String] = []
        for (k, line) in masked.enumerated() {
            if k == 0 {
                let first = line.first == "{" || RowDataFilter.redisParts(line) != nil ? logLine(line).text : postgresMetadata(line)
                out.append(pseudonymizer.apply(first))
            } else {
                out.append(pseudonymizer.apply(cutSQL(line)))
            }
        }
        return (out, out.count)
    }

    /// A statement's SQL text (incident.json, timeline raw).
    public func sql(_ s: String) -> (text: String, cut: Bool) {
        let masked = masker.apply(s)
        guard pseudonymizer.mentionsOther(masked) else { return (pseudonymizer.apply(masked), false) }
        return (pseudonymizer.apply(cutSQL(masked)), true)
    }

    /// Bind values: when `cut` (the statement or any value names another tenant), only values
    /// that are exactly tenant ids are kept (pseudonymised); NULLs stay NULL.
    public func bindValues(_ values: [String?], cut: Bool) -> [String?] {
        let anyOther = cut || values.contains { $0.map(pseudonymizer.mentionsOther) ?? false }
        return values.map { v in
            guard let v else { return nil }
            if !anyOther { return text(v) }
            return pseudonymizer.isTenantID(v) ? pseudonymizer.apply(v) : "[removed]"
        }
    }

    // MARK: SQL

    /// The statement with its row data cut (see the type's comment).
    func cutSQL(_ sql: String) -> String {
        if let words = RowDataFilter.rowCarryingHead(sql) { return words + " " + RowDataFilter.marker }
        return redactLiterals(sql)
    }

    /// The leading words of a statement that carries rows, nil for others.
    static func rowCarryingHead(_ sql: String) -> String? {
        let stripped = sql.replacingOccurrences(of: #"/\*.*?\*/"#, with: " ", options: .regularExpression)
        let words = stripped.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == "," })
        let upper = words.map { $0.uppercased() }
        guard let first = upper.first else { return nil }
        let carries: Bool
        switch first {
        case "INSERT", "COPY", "MERGE": carries = true
        case "UPDATE": carries = upper.contains("SET")
        default: carries = upper.contains("VALUES")
        }
        guard carries else { return nil }
        return words.prefix(3).joined(separator: " ")
    }

    /// Every string literal that is not exactly a tenant id becomes `'[removed]'`; comments
    /// (`/* ... */`, sqlcommenter) are kept as they are.
    func redactLiterals(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        let quote = UInt8(ascii: "'")
        while i < b.count {
            if b[i] == UInt8(ascii: "/") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "*") {
                var j = i + 2
                while j + 1 < b.count && !(b[j] == UInt8(ascii: "*") && b[j + 1] == UInt8(ascii: "/")) { j += 1 }
                let end = min(j + 2, b.count)
                out.append(contentsOf: b[i..<end])
                i = end
                continue
            }
            if b[i] == quote {
                var j = i + 1
                var content: [UInt8] = []
                while j < b.count {
                    if b[j] == quote {
                        if j + 1 < b.count && b[j + 1] == quote { content.append(quote); j += 2; continue }
                        break
                    }
                    content.append(b[j])
                    j += 1
                }
                let value = String(decoding: content, as: UTF8.self)
                if pseudonymizer.isTenantID(value) {
                    out.append(contentsOf: b[i..<min(j + 1, b.count)])
                } else {
                    out.append(contentsOf: RowDataFilter.removedLiteral.utf8)
                }
                i = j + 1
                continue
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: PostgreSQL lines

    private static let messageMarkers = ["statement: ", "parameters: ", "STATEMENT:  ", "QUERY:  "]
    private static let executeMarker = try! NSRegularExpression(pattern: #"(?:execute|bind|parse) [^:]*: "#)
    private static let severityMarker = try! NSRegularExpression(
        pattern: #"\b(LOG|ERROR|DETAIL|HINT|CONTEXT|WARNING|NOTICE|FATAL|PANIC|STATEMENT|INFO|DEBUG[1-5]?):  "#)

    func postgresMetadata(_ line: String) -> String {
        var cutAt: String.Index?
        for m in RowDataFilter.messageMarkers {
            if let r = line.range(of: m), cutAt == nil || r.upperBound < cutAt! { cutAt = r.upperBound }
        }
        let ns = line as NSString
        if let m = RowDataFilter.executeMarker.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)),
           let r = Range(m.range, in: line), cutAt == nil || r.upperBound < cutAt! {
            cutAt = r.upperBound
        }
        if let at = cutAt {
            let head = String(line[..<at])
            if RowDataFilter.messageMarkers.contains(where: { head.hasSuffix($0) && $0 == "parameters: " }) {
                return head + redactLiterals(String(line[at...]))
            }
            return head + cutSQL(String(line[at...]))
        }
        if let m = RowDataFilter.severityMarker.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) {
            return ns.substring(to: m.range.location + m.range.length) + RowDataFilter.marker
        }
        return RowDataFilter.marker
    }

    // MARK: JSON lines

    func jsonMetadata(_ object: [String: Any]) -> String {
        var kept: [String: Any] = [:]
        for (k, v) in object {
            if let s = v as? String {
                kept[k] = s.contains("'") ? postgresMetadataString(s) : s
            } else if v is NSNull || v is NSNumber {
                kept[k] = v
            } else if let nested = nestedMetadata(v) {
                kept[k] = nested
            }
        }
        kept["tenantwatch_redaction"] = RowDataFilter.marker
        guard let data = try? JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return RowDataFilter.marker
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A JSON string holding a log message: its SQL literals cut.
    private func postgresMetadataString(_ s: String) -> String {
        let cut = postgresMetadata(s)
        return cut == RowDataFilter.marker ? redactLiterals(s) : cut
    }

    private func nestedMetadata(_ v: Any) -> Any? {
        if v is NSNull || v is NSNumber { return v }
        if let s = v as? String { return pseudonymizer.isTenantID(s) ? s : nil }
        if let a = v as? [Any] {
            let kept = a.compactMap(nestedMetadata)
            return kept.count == a.count ? kept : (kept.isEmpty ? nil : kept)
        }
        if let d = v as? [String: Any] {
            var out: [String: Any] = [:]
            for (k, x) in d { if let y = nestedMetadata(x) { out[k] = y } }
            return out.isEmpty ? nil : out
        }
        return nil
    }

    // MARK: Redis MONITOR lines

    struct RedisLine { var head: String; var args: [String] }

    private static let redisHead = try! NSRegularExpression(pattern: #"^(\d+(?:\.\d+)? \[[^\]]*\]) "#)

    /// `1795568049.702175 [0 127.0.0.1:52552] "SET" "key" "value"` split into head and (still
    /// quoted) arguments; nil when the line is not a MONITOR line.
    static func redisParts(_ line: String) -> RedisLine? {
        let ns = line as NSString
        guard let m = redisHead.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { return nil }
        let head = ns.substring(with: m.range(at: 1))
        let rest = Array(ns.substring(from: m.range.location + m.range.length).utf8)
        var args: [String] = []
        var i = 0
        while i < rest.count {
            if rest[i] == UInt8(ascii: " ") { i += 1; continue }
            guard rest[i] == UInt8(ascii: "\"") else { return nil }
            var j = i + 1
            while j < rest.count && rest[j] != UInt8(ascii: "\"") { j += rest[j] == UInt8(ascii: "\\") ? 2 : 1 }
            let end = min(j + 1, rest.count)
            args.append(String(decoding: rest[i..<end], as: UTF8.self))
            i = end
        }
        guard !args.isEmpty else { return nil }
        return RedisLine(head: head, args: args)
    }

    static func secretRedisCommand(_ quoted: String?) -> Bool {
        guard let q = quoted else { return false }
        return ["\"AUTH\"", "\"HELLO\"", "\"MIGRATE\"", "\"CONFIG\""].contains(q.uppercased())
    }

    private func redisMetadata(_ r: RedisLine) -> String {
        if RowDataFilter.secretRedisCommand(r.args.first) {
            return r.head + " " + r.args[0] + " " + TokenMasker.mask
        }
        var out = r.head + " " + r.args.prefix(2).joined(separator: " ")
        if r.args.count > 2 { out += " " + RowDataFilter.marker }
        return out
    }
}
