import Foundation
import TenantWatchSQL

/// Everything that goes into a bundle passes through here: credentials masked, other tenants'
/// row data cut, other tenants' identifiers pseudonymised (in that order).
///
/// "Row data" is cut conservatively. A quoted log line, statement or bind list that names another
/// tenant anywhere is reduced to its metadata:
/// - SQL (statements, `parameters:` details): the literals are found by PostgreSQL's own lexer
///   (`SQLTokens`, libpg_query's `pg_query_scan`), so a literal that spans lines, uses `E'..\'..'`
///   or dollar quotes is found whole; every string, bit-string and numeric literal that is not
///   exactly a tenant id is removed (comments, sqlcommenter's included, are kept); a statement
///   that carries rows (`INSERT ... VALUES`, `UPDATE ... SET`, `COPY`) keeps only its leading
///   words; SQL the lexer refuses (cut short, unterminated) is removed whole;
/// - audit lines of a request that is not the customer's own (its caller, by the configured
///   caller field, the token's claim or the Host, is not the bundle's tenant) keep only an
///   allow-list of fields (`AuditAllowList`: time, method, route, status, the tenant fields
///   pseudonymised, and `[export] safe_fields`), whether or not they name a tenant; the
///   customer's own lines that name another tenant keep top-level scalars and, nested, only
///   numbers, booleans and tenant ids;
/// - jsonlog lines: top-level scalars are kept (the message with its SQL literals cut);
/// - Redis MONITOR lines: time, client, command and key; the values are cut. Values are also cut
///   from lines that name no tenant at all: a payload under a key without a tenant may be anyone's;
/// - any other line: replaced by the marker.
/// Each cut leaves `[row data of another tenant removed]`.
public struct RowDataFilter: Sendable {
    public static let marker = "[row data of another tenant removed]"
    public static let removedLiteral = "'[removed]'"

    public let pseudonymizer: Pseudonymizer
    public let masker: TokenMasker
    public let audit: AuditAllowList

    public init(pseudonymizer: Pseudonymizer, masker: TokenMasker = TokenMasker(), audit: AuditAllowList = AuditAllowList()) {
        self.pseudonymizer = pseudonymizer
        self.masker = masker
        self.audit = audit
    }

    /// Text the tool wrote (summaries, messages, titles, notes): masked and pseudonymised.
    public func text(_ s: String) -> String { pseudonymizer.apply(masker.apply(s)) }
    public func text(_ s: String?) -> String? { s.map { text($0) } }

    /// A quoted source line; `cut` tells whether row data was removed.
    public func logLine(_ line: String) -> (text: String, cut: Bool) {
        if let search = SearchLineFilter.line(line, filter: self) { return search }
        let (masked, hidden) = EncodedMentions.hide(in: masker.apply(line), pseudonymizer: pseudonymizer)
        if hidden {
            // What is left is judged as usual; the encoded mention alone makes it a cut line.
            let (text, _) = logLineJudged(masked, original: line)
            return (text, true)
        }
        return logLineJudged(masked, original: line)
    }

    private func logLineJudged(_ masked: String, original line: String) -> (text: String, cut: Bool) {
        let other = pseudonymizer.mentionsOther(masked)
        if let redis = RowDataFilter.redisParts(masked) {
            let metadataOnly = redis.args.count <= 2
                || ["\"CLIENT\"", "\"COMMAND\"", "\"SELECT\"", "\"PING\"", "\"INFO\""].contains(redis.args[0].uppercased())
            if !other && (metadataOnly || pseudonymizer.mentionsOwn(masked)) && !RowDataFilter.secretRedisCommand(redis.args.first) {
                return (pseudonymizer.apply(masked), false)
            }
            return (pseudonymizer.apply(redisMetadata(redis)), redis.args.count > 2 || other)
        }
        // An audit line is judged by whose request it is, before and whether or not it names a
        // tenant: another tenant's request keeps only the allow-listed fields.
        if line.first == "{", let object = RowDataFilter.jsonObject(line), !RowDataFilter.isJSONLog(object) {
            let caller = audit.caller(of: object)
            if caller == nil || caller != pseudonymizer.forTenant {
                return (audit.allowed(object, filter: self), true)
            }
            guard other else { return (pseudonymizer.apply(masked), false) }
            guard let maskedObject = RowDataFilter.jsonObject(masked) else { return (RowDataFilter.marker, true) }
            return (pseudonymizer.apply(jsonMetadata(maskedObject)), true)
        }
        // A JSON line that does not parse (cut at the quoting limit, damaged) cannot be judged
        // field by field, nor told to be the customer's own: it is left out.
        if line.first == "{" && RowDataFilter.jsonObject(line) == nil { return (RowDataFilter.marker, true) }
        guard other else { return (pseudonymizer.apply(masked), false) }
        if masked.first == "{", let object = RowDataFilter.jsonObject(masked) {
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
        if masked[0].first == "{" || RowDataFilter.redisParts(masked[0]) != nil {
            // Not a PostgreSQL record: each line on its own, continuation lines cut whole.
            return ([logLine(lines[0]).text] + masked.dropFirst().map { _ in RowDataFilter.marker }, masked.count)
        }
        // The statement runs from the first line's message into the continuation lines: it is
        // lexed whole (a literal may span lines) and cut back into as many lines.
        guard let (head, body, parameters) = RowDataFilter.postgresSplit(masked[0]) else {
            return ([pseudonymizer.apply(postgresMetadata(masked[0]))] + masked.dropFirst().map { _ in RowDataFilter.marker },
                    masked.count)
        }
        let sql = ([body] + masked.dropFirst()).joined(separator: "\n")
        var cut = (parameters ? redactLiterals(sql) : cutSQL(sql)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if cut.count != masked.count { cut = [RowDataFilter.marker] + Array(repeating: RowDataFilter.marker, count: masked.count - 1) }
        cut[0] = head + cut[0]
        return (cut.map(pseudonymizer.apply), masked.count)
    }

    /// A statement's SQL text (incident.json, timeline raw).
    public func sql(_ s: String) -> (text: String, cut: Bool) {
        // A search finding's "statement" is its query body (SQL never starts with `{`), or its
        // plain-text slow-log line: values cut, shape kept (`SearchLineFilter`).
        if s.first == "{" { return (SearchLineFilter.body(s, filter: self), true) }
        if let search = SearchLineFilter.line(s, filter: self) { return search }
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

    /// The statement with its row data cut (see the type's comment). Newlines are kept, one for
    /// one, so that the lines of a multi-line record stay its lines.
    func cutSQL(_ sql: String) -> String {
        guard let tokens = SQLTokens.scan(sql) else { return RowDataFilter.keepingNewlines(RowDataFilter.marker, of: sql) }
        let bytes = Array(sql.utf8)
        if let words = RowDataFilter.rowCarryingHead(tokens, bytes) {
            return RowDataFilter.keepingNewlines(words + " " + RowDataFilter.marker, of: sql)
        }
        return redactLiterals(bytes, tokens)
    }

    /// The leading words of a statement that carries rows (up to three words, with the dots of a
    /// qualified name), nil for others; judged on PostgreSQL's tokens, comments skipped.
    static func rowCarryingHead(_ tokens: [SQLToken], _ bytes: [UInt8]) -> String? {
        let code = tokens.filter { $0.kind != .comment }
        guard let first = code.first else { return nil }
        let upper = { (t: SQLToken) in t.text(in: bytes).uppercased() }
        let carries: Bool
        switch upper(first) {
        case "INSERT", "COPY", "MERGE": carries = true
        case "UPDATE": carries = code.contains { $0.kind == .keyword && upper($0) == "SET" }
        default: carries = code.contains { $0.kind == .keyword && upper($0) == "VALUES" }
        }
        guard carries else { return nil }
        var words: [String] = []
        for t in code {
            let text = t.text(in: bytes)
            if t.kind == .keyword || t.kind == .identifier {
                if words.count == 3 { break }
                if let last = words.last, last.hasSuffix(".") { words[words.count - 1] = last + text } else { words.append(text) }
            } else if text == ".", !words.isEmpty {
                words[words.count - 1] += "."
            } else {
                break
            }
        }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    /// Every literal (string, bit string, number) that is not exactly a tenant id is removed;
    /// comments (`/* ... */`, sqlcommenter) are kept as they are. Literals are PostgreSQL's
    /// tokens, so `E'it\'s'`, `$q$..$q$` and a literal spanning lines are each one literal. Text
    /// the lexer refuses is removed whole.
    func redactLiterals(_ s: String) -> String {
        guard let tokens = SQLTokens.scan(s) else { return RowDataFilter.keepingNewlines(RowDataFilter.marker, of: s) }
        return redactLiterals(Array(s.utf8), tokens)
    }

    func redactLiterals(_ b: [UInt8], _ tokens: [SQLToken]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var at = 0
        for t in tokens where t.kind == .string || t.kind == .bitString || t.kind == .number {
            out.append(contentsOf: b[at..<t.start])
            at = t.end
            let literal = b[t.start..<t.end]
            if t.kind == .string, let value = RowDataFilter.plainStringValue(literal), pseudonymizer.isTenantID(value) {
                out.append(contentsOf: literal)
                continue
            }
            out.append(contentsOf: (t.kind == .number ? "[removed]" : RowDataFilter.removedLiteral).utf8)
            // The literal's newlines stay, so the record keeps its lines.
            for c in literal where c == 0x0A { out.append(0x0A) }
        }
        out.append(contentsOf: b[at...])
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of a plain `'...'` literal with no quote or backslash inside; nil for others
    /// (which are never kept).
    static func plainStringValue(_ literal: ArraySlice<UInt8>) -> String? {
        guard literal.count >= 2, literal.first == UInt8(ascii: "'"), literal.last == UInt8(ascii: "'") else { return nil }
        let inner = literal.dropFirst().dropLast()
        guard !inner.contains(UInt8(ascii: "'")), !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// `replacement` followed by as many newlines as `original` has.
    static func keepingNewlines(_ replacement: String, of original: String) -> String {
        replacement + String(repeating: "\n", count: original.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
    }

    // MARK: PostgreSQL lines

    private static let messageMarkers = ["statement: ", "parameters: ", "STATEMENT:  ", "QUERY:  "]
    private static let executeMarker = try! NSRegularExpression(pattern: #"(?:execute|bind|parse) [^:]*: "#)
    private static let severityMarker = try! NSRegularExpression(
        pattern: #"\b(LOG|ERROR|DETAIL|HINT|CONTEXT|WARNING|NOTICE|FATAL|PANIC|STATEMENT|INFO|DEBUG[1-5]?):  "#)

    /// A PostgreSQL line cut at the start of its SQL (`statement: `, `parameters: `, `execute
    /// <name>: `, ...): the head, the SQL, and whether the SQL is a `parameters:` list. nil when
    /// the line carries no SQL message.
    static func postgresSplit(_ line: String) -> (head: String, body: String, parameters: Bool)? {
        var cutAt: String.Index?
        var marker = ""
        for m in messageMarkers {
            if let r = line.range(of: m), cutAt == nil || r.upperBound < cutAt! { cutAt = r.upperBound; marker = m }
        }
        let ns = line as NSString
        if let m = executeMarker.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)),
           let r = Range(m.range, in: line), cutAt == nil || r.upperBound < cutAt! {
            cutAt = r.upperBound
            marker = ""
        }
        guard let at = cutAt else { return nil }
        return (String(line[..<at]), String(line[at...]), marker == "parameters: ")
    }

    func postgresMetadata(_ line: String) -> String {
        if let (head, body, parameters) = RowDataFilter.postgresSplit(line) {
            return head + (parameters ? redactLiterals(body) : cutSQL(body))
        }
        let ns = line as NSString
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
        return RowDataFilter.serialize(kept)
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
