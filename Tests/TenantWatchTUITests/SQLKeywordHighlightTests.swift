import Testing
import TenantWatchCore
@testable import TenantWatchTUI
import TenantWatchSampleData

/// SQL keywords in the detail view: PostgreSQL's lexer decides (never a pattern), literals,
/// comments and quoted names are left alone, a non-reserved keyword used as a name stays plain,
/// the leak highlight wins over a keyword, and the role is legible in every theme at every depth.
@Suite struct SQLKeywordHighlightTests {
    /// The words of `text` the ranges cover.
    func words(_ text: String, _ ranges: [Range<Int>]) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return ranges.map { String(String.UnicodeScalarView(scalars[$0])) }
    }

    @Test func keywordsComeFromTheLexer() {
        let sql = "SELECT id, name, value FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.tenant_id = 'select from where' -- order by\n AND i.key IN (SELECT \"from\" FROM t) ORDER BY id DESC LIMIT 5"
        let w = words(sql, SQLKeywordRanges.of(sql))
        #expect(w == ["SELECT", "FROM", "JOIN", "ON", "WHERE", "AND", "IN", "SELECT", "FROM", "ORDER", "BY", "DESC", "LIMIT"])
    }

    @Test func nonReservedKeywordsAreKeywordsOnlyWhereNoNameStands() {
        let sql = "UPDATE data SET value = 1 WHERE key = $1 RETURNING name"
        // `data`, `value` and `key` are names here; UPDATE, SET and RETURNING are keywords.
        #expect(words(sql, SQLKeywordRanges.of(sql)) == ["UPDATE", "SET", "WHERE", "RETURNING"])
        let insert = "INSERT INTO orders (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"
        #expect(words(insert, SQLKeywordRanges.of(insert)) == ["INSERT", "INTO", "VALUES", "ON", "CONFLICT", "DO", "NOTHING"])
    }

    @Test func offsetsAreInScalarsAfterMultibyteText() {
        let sql = "SELECT 'prénom → ü' AS label FROM t"
        #expect(words(sql, SQLKeywordRanges.of(sql)) == ["SELECT", "AS", "FROM"])
    }

    @Test func aStatementTheLexerRefusesIsNotColoured() {
        #expect(SQLKeywordRanges.of("SELECT * FROM t WHERE a = 'cut short").isEmpty)
    }

    @Test func theDetailViewColoursKeywordsAndTheLeakWins() {
        let snap = Fixtures.small
        let id = snap.incidents[0].id
        let d = snap.detail(for: id)!
        #expect(!d.keywords.isEmpty)
        let doc = DetailView.document(d, width: 160)
        let statement = doc.filter { $0.parts.contains { $0.1 == .sqlKeyword } }
        let coloured = statement.flatMap { $0.parts.filter { $0.1 == .sqlKeyword }.map(\.0) }
        #expect(coloured.contains("SELECT") && coloured.contains("FROM") && coloured.contains("WHERE"))
        #expect(!coloured.contains { $0.contains("'") }, "no literal is coloured as a keyword")
        // The wrong tenant's literal keeps the leak highlight.
        #expect(statement.contains { $0.parts.contains { $0.1 == .leakHighlight } })
        var s = UIState()
        s.screen = .detail(id)
        let g = render(snap, s, size: Fixtures.wide)
        let row = (0..<g.height).first { g.line($0).contains("SELECT i.id") }!
        let runs = g.runs(row: row)
        #expect(runs.contains { $0.role == .sqlKeyword && $0.text == "SELECT" })
        Golden.check("detail-sql-keywords-160x45", (0..<g.height).map { y in
            g.runs(row: y).filter { $0.role == .sqlKeyword || $0.role == .leakHighlight }
                .map { "\($0.x):\($0.role.rawValue):\($0.text)" }.joined(separator: " ")
        }.filter { !$0.isEmpty }.joined(separator: "\n"))
    }

    @Test func theRoleIsLegibleAndDistinctInEveryThemeAtEveryDepth() {
        for name in Theme.builtinNames {
            let theme = Theme.builtin(name)!
            for depth in [ColorDepth.none, .c8, .c16, .c256] {
                let r = theme.resolved(for: depth)
                let keyword = r[.sqlKeyword]!, text = r[.text]!
                #expect(keyword != text, "\(name) at \(depth.rawValue): keywords look like plain text")
                if keyword.bg == -1 && keyword.fg != -1 { #expect(!Theme.invisibleOnSomeBackground(keyword.fg)) }
                #expect(keyword != r[.leakHighlight]!, "\(name) at \(depth.rawValue): a keyword looks like a leak")
            }
        }
    }
}
