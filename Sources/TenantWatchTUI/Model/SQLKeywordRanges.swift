import TenantWatchCore

/// Where the SQL keywords of a statement are, for the detail view to colour them.
///
/// PostgreSQL's own lexer (`SQLTokens`, libpg_query's `pg_query_scan`) says which tokens are
/// keywords, so literals, comments, quoted identifiers and dollar quotes are never coloured and
/// nothing is guessed from the text. Reserved and type/function-name keywords (`SELECT`, `WHERE`,
/// `JOIN`, `LIKE`) are always keywords. A non-reserved keyword can also be a name (`name`,
/// `value`, `key`, `data` are common column names), so it is shown as a keyword only outside the
/// places a name stands: qualified (`t.name`), after `AS`, after a word that a relation name
/// follows (`FROM`, `JOIN`, `INTO`, `UPDATE`, `TABLE`), in a select or column list, or before a
/// comparison. Display only: the statement was judged from its parse tree, not from these.
public enum SQLKeywordRanges {
    /// Offsets in Unicode scalars of `text`, sorted; empty when the lexer refuses the text (a
    /// statement cut short inside a literal): then nothing is coloured rather than the wrong words.
    public static func of(_ text: String) -> [Range<Int>] {
        guard let tokens = SQLTokens.scan(text), !tokens.isEmpty else { return [] }
        let utf8 = Array(text.utf8)
        // UTF-8 byte offset -> scalar offset, for the token boundaries.
        var scalarAt = [Int](repeating: 0, count: utf8.count + 1)
        var byte = 0, scalar = 0
        for s in text.unicodeScalars {
            let n = UTF8.width(s)
            for k in 0..<n { scalarAt[byte + k] = scalar }
            byte += n
            scalar += 1
        }
        scalarAt[utf8.count] = scalar
        let words = tokens.map { $0.text(in: utf8).uppercased() }
        var out: [Range<Int>] = []
        for (i, t) in tokens.enumerated() where t.kind == .keyword {
            if t.keywordKind == 1 || t.keywordKind == 2 {
                if standsForAName(i, words) { continue }
            }
            out.append(scalarAt[t.start]..<scalarAt[t.end])
        }
        return out
    }

    static let beforeRelation: Set<String> = ["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "AS", "."]
    static let listStart: Set<String> = ["SELECT", "DISTINCT", "RETURNING", ",", "("]
    static let listEnd: Set<String> = [",", ")", "FROM", "AS", ";"]
    static let comparison: Set<String> = ["=", "<", ">", "<>", "!=", "<=", ">=", "IN", "IS", "LIKE", "ILIKE", "BETWEEN", "."]

    /// Whether the non-reserved keyword at `i` is used as a name rather than as a keyword.
    static func standsForAName(_ i: Int, _ words: [String]) -> Bool {
        let before: String? = i > 0 ? words[i - 1] : nil
        let after: String? = i + 1 < words.count ? words[i + 1] : nil
        if let b = before, Self.beforeRelation.contains(b) { return true }
        if let a = after, Self.comparison.contains(a) { return true }
        if let b = before, Self.listStart.contains(b) {
            guard let a = after else { return true }
            if Self.listEnd.contains(a) { return true }
        }
        return false
    }
}
