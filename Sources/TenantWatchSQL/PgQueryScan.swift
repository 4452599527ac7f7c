/// The tables a statement that does not parse names, by PostgreSQL's own lexer (`SQLTokens`,
/// libpg_query's `pg_query_scan`). Used to tell whether an unjudged statement touched tenant data
/// (`unjudged_statement`).
extension PgQuery {
    /// The tables `sql` names (`t`, `s.t`, `"T"`): every identifier, or dotted run of them, that
    /// the caller's test accepts. Which of those are tables is not known without a parse tree, so
    /// the caller checks them against what it knows to be tables. Nil when the lexer refuses the
    /// text (an unterminated quote or comment, which a statement cut at the line cap usually has)
    /// or it is over `maximumStatementBytes`.
    package static func namedTables(_ sql: String, where accept: (TableName) -> Bool) -> [TableName]? {
        guard sql.utf8.count <= maximumStatementBytes, let tokens = SQLTokens.scan(sql) else { return nil }
        let utf8 = Array(sql.utf8)
        func word(_ t: SQLToken) -> String? {
            guard t.mayNameTable, t.start >= 0, t.end <= utf8.count, t.start < t.end else { return nil }
            return TableName.foldIdentifier(String(decoding: utf8[t.start..<t.end], as: UTF8.self))
        }
        /// pg_query.proto `Token` 46: `.`.
        let dot = 46
        var found: [TableName] = []
        var i = 0
        while i < tokens.count {
            guard var last = word(tokens[i]) else { i += 1; continue }
            var qualifier: String? = nil
            var j = i + 1
            // `a.b.c`: the last two parts are schema and table (a column reference reads the same;
            // the caller's test tells them apart).
            while j + 1 < tokens.count, tokens[j].token == dot, let next = word(tokens[j + 1]) {
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
