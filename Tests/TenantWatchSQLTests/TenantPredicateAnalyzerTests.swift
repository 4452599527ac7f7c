import Testing
@testable import TenantWatchSQL
import TenantWatchTestSupport

@Suite("SQL analyzer verdicts")
struct SQLAnalyzerTests {
    static let withSchema = TenantPredicateAnalyzer(schema: sampleSchema)
    static let withoutSchema = TenantPredicateAnalyzer(schema: noSchema)

    @Test(arguments: allAnalyzerCases)
    func verdict(_ t: AnalyzerCase) {
        let a = (t.withSchema ? Self.withSchema : Self.withoutSchema).analyze(t.sql)
        #expect(a.verdict == t.verdict, "\(t.name): \(a.reason)")
        if let values = t.values {
            #expect(Set(a.tenantValues.map(\.description)) == values, "\(t.name): \(a.reason)")
        }
        if let tables = t.tables {
            #expect(Set(a.tables.map(\.description)) == tables, "\(t.name)")
        }
        if let unscoped = t.unscoped {
            #expect(Set(a.unscopedTables.map(\.description)) == unscoped, "\(t.name): \(a.reason)")
        }
        if let fragment = t.reasonContains {
            #expect(a.reason.contains(fragment), "\(t.name): \(a.reason)")
        }
        if let kind = t.kind {
            #expect(a.kind == kind, "\(t.name)")
        }
    }

    @Test func atLeastSeventyCases() {
        #expect(allAnalyzerCases.count >= 70)
    }
}
