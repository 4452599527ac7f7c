import Testing
@testable import TenantWatchCore

/// Search evidence in a bundle for `acme`: a third tenant's identifiers are pseudonymised and no
/// query value (another caller's search words) survives, in each slow-log shape, in a search
/// finding's body and whatever `[export] safe_fields` allows.
@Suite struct SearchEvidenceFilterTests {
    let f = RowDataFilter(pseudonymizer: Pseudonymizer(forTenant: "acme", pseudonyms: ["globex": "tenant-1", "initech": "tenant-2"]),
                          audit: AuditAllowList(extraSafeFields: ["source", "elasticsearch.slowlog.source"]))

    static let body = #"{"query":{"bool":{"filter":[{"term":{"organization_id":{"value":"globex","boost":1.0}}},{"match":{"title":"initech merger plans"}}]}}}"#

    func leaksNothing(_ text: String) {
        for secret in ["globex", "initech", "merger plans"] { #expect(!text.contains(secret), "\(secret) in \(text)") }
    }

    @Test func ecsLineKeepsShapeAndMetadataCutsValues() throws {
        let escaped = Self.body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let line = #"{"@timestamp":"2026-11-25T02:00:30.100Z","elasticsearch.slowlog.id":"req-s011","elasticsearch.slowlog.message":"[documents][0]","elasticsearch.slowlog.source":""# + escaped + #"","log.logger":"index.search.slowlog.query","user.name":"globex-admin"}"#
        let (text, cut) = f.logLine(line)
        #expect(cut)
        leaksNothing(text)
        #expect(text.contains("organization_id"))
        #expect(text.contains("tenant-1-admin") || text.contains("tenant-1"))
        #expect(text.contains("[documents][0]"))
        #expect(text.contains(RowDataFilter.marker))
    }

    @Test func layoutLineAndPlainTextLine() {
        let layout = #"{"type": "index_search_slowlog", "timestamp": "2026-11-25T02:00:33,120Z", "message": "[documents][0]", "source": "# +
            "\"" + Self.body.replacingOccurrences(of: "\"", with: "\\\"") + "\"" + #", "id": "req-s011"}"#
        let (a, cutA) = f.logLine(layout)
        #expect(cutA)
        leaksNothing(a)
        #expect(a.contains("req-s011"))
        let plain = "[2026-11-25T02:00:36,130][WARN ][i.s.s.query] [es-1] [documents][0] took[2.2ms], took_millis[2], source[" + Self.body + "], id[req-s012],"
        let (b, cutB) = f.logLine(plain)
        #expect(cutB)
        leaksNothing(b)
        #expect(b.hasPrefix("[2026-11-25T02:00:36,130][WARN ][i.s.s.query] [es-1] [documents][0]"))
        #expect(b.hasSuffix("], id[req-s012],"))
    }

    @Test func ownTenantIdStaysAndFindingBodyIsCut() {
        let own = #"{"query":{"term":{"organization_id":"acme"}},"size":10}"#
        let (text, cut) = f.sql(own)
        #expect(cut)
        #expect(text.contains("\"acme\""))
        #expect(!text.contains("10"))
        let (other, _) = f.sql(Self.body)
        leaksNothing(other)
        #expect(other.contains("tenant-1"))
    }

    @Test func sqlIsStillJudgedAsSQL() {
        let (text, _) = f.sql("SELECT * FROM invoices WHERE tenant_id = 'globex'")
        #expect(text.hasPrefix("SELECT"))
        #expect(!text.contains("globex"))
    }
}
