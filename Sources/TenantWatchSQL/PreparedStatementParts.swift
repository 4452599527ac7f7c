/// The parts of SQL-level `PREPARE name(types) AS body` and `EXECUTE name(args)` that the log
/// interpreter needs, read by libpg_query: the body a `DETAIL:  prepare:` line announces, and
/// the literal arguments of the `EXECUTE` that ran it.
///
/// The body is the text after the `AS` of the `PrepareStmt`: the statement must parse as one
/// `PrepareStmt`, and the `AS` is the first `AS` keyword token the lexer finds outside
/// parentheses (before it there is only the name and the parenthesised type list; a search for
/// " as " found the `AS` of a column alias in pg_dump's `PREPARE getColumnACLs(pg_catalog.oid)
/// AS<newline><tab>SELECT ... '{}' AS acldefault`).
public enum PreparedStatementParts {
    /// The body of a `PREPARE`, as written; nil when the text is not a single `PREPARE`.
    public static func body(ofPrepare text: String) -> String? {
        guard case .success(let tree) = PgQuery.parse(text),
              let stmts = tree.root["stmts"] else { return nil }
        var it = stmts.children
        guard let raw = it.next(), it.next() == nil,
              raw["stmt"]?.as("PrepareStmt")?["query"] != nil else { return nil }
        let utf8 = Array(text.utf8)
        let stmtStart = raw["stmt_location"]?.int ?? 0
        let stmtLen = raw["stmt_len"]?.int ?? 0
        let stmtEnd = stmtLen > 0 ? min(utf8.count, stmtStart + stmtLen) : utf8.count
        guard let tokens = PgQueryScanner.scan(text) else { return nil }
        var depth = 0
        var bodyStart: Int?
        var lastEnd = 0
        for (k, t) in tokens.enumerated() where t.start >= stmtStart && t.end <= stmtEnd {
            if bodyStart == nil {
                if t.end - t.start == 1, utf8[t.start] == UInt8(ascii: "(") { depth += 1 }
                else if t.end - t.start == 1, utf8[t.start] == UInt8(ascii: ")") { depth -= 1 }
                else if depth == 0, t.isKeyword, isAS(utf8, t), k + 1 < tokens.count { bodyStart = tokens[k + 1].start }
            } else {
                lastEnd = t.end
            }
        }
        guard let start = bodyStart, lastEnd > start else { return nil }
        // The body's last token ends it (a comment after it is the lexer's to drop too).
        return String(decoding: utf8[start..<lastEnd], as: UTF8.self)
    }

    /// The arguments of `EXECUTE name(args)` when every one is a plain constant (number, string,
    /// boolean, NULL): their values as the server would bind them. [] without arguments; nil when
    /// the text is not one `EXECUTE` or an argument is an expression.
    public static func arguments(ofExecute text: String) -> [String?]? {
        guard case .success(let tree) = PgQuery.parse(text), let stmts = tree.root["stmts"] else { return nil }
        var it = stmts.children
        guard let raw = it.next(), it.next() == nil, let ex = raw["stmt"]?.as("ExecuteStmt") else { return nil }
        guard let params = ex["params"] else { return [] }
        var out: [String?] = []
        for p in params.children {
            guard let c = p.as("A_Const") else { return nil }
            if c["isnull"]?.bool == true { out.append(nil) }
            else if let s = c["sval"] { out.append(s["sval"]?.string ?? "") }
            else if let i = c["ival"] { out.append(i["ival"]?.int.map { String($0) } ?? "0") }
            else if let f = c["fval"] { out.append(f["fval"]?.string ?? "0") }
            else if let b = c["boolval"] { out.append(b["boolval"]?.bool == true ? "true" : "false") }
            else { return nil }
        }
        return out
    }

    private static func isAS(_ utf8: [UInt8], _ t: PgQueryScanner.Token) -> Bool {
        t.end - t.start == 2 && utf8[t.start] | 0x20 == UInt8(ascii: "a") && utf8[t.start + 1] | 0x20 == UInt8(ascii: "s")
    }
}
