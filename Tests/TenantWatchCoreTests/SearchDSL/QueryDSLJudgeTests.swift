import Testing
@testable import TenantWatchCore

/// One test (or more) per rule of the query-DSL judge, on bodies as the servers log them.
@Suite struct QueryDSLJudgeTests {
    static var search: Configuration.Search {
        var s = Configuration.Search()
        s.tenantFields = ["organization_id"]
        s.indices = ["activities-*", "documents"]
        s.globalIndices = ["help-articles"]
        s.scopedAliases = ["activities-acme": "acme"]
        return s
    }
    static let judge = SearchBodyJudge(search: search)

    static func verdict(_ body: String, index: String = "activities-2026") -> JudgedSearch {
        let q = SearchQuery(position: SourcePosition(file: "t", line: 1), time: nil, origin: .slowLogJSON, indices: [index], body: body)
        return judge.judge(q)[0]
    }

    // MARK: term / terms

    @Test func termOnTenantFieldInFilterIsScoped() {
        let j = Self.verdict(#"{"query":{"bool":{"filter":[{"term":{"organization_id":{"value":"acme","boost":1.0}}},{"match":{"name":"analytics"}}]}}}"#)
        #expect(j.verdict == .scoped)
        #expect(j.tenants == ["acme"])
    }

    @Test func termShortFormAndKeywordSubfieldAndNumbers() {
        #expect(Self.verdict(#"{"query":{"term":{"organization_id":"acme"}}}"#).tenants == ["acme"])
        #expect(Self.verdict(#"{"query":{"term":{"organization_id.keyword":"acme"}}}"#).tenants == ["acme"])
        #expect(Self.verdict(#"{"query":{"term":{"organization_id":42}}}"#).tenants == ["42"])
    }

    @Test func theIssueExampleMatchWithoutTenantFilterIsUnscoped() {
        let j = Self.verdict(#"{"query":{"match":{"name":"analytics"}}}"#, index: "activities")
        // `activities` is not matched by `activities-*`: not tenant-owned.
        #expect(j.verdict == .notApplicable)
        let k = Self.verdict(#"{"query":{"match":{"name":"analytics"}}}"#)
        #expect(k.verdict == .unscoped)
        #expect(k.tenantIndices == ["activities-2026"])
    }

    @Test func termsWithOneValueIsScopedWithTwoIsMultiTenant() {
        #expect(Self.verdict(#"{"query":{"terms":{"organization_id":["acme"],"boost":1.0}}}"#).verdict == .scoped)
        let two = Self.verdict(#"{"query":{"terms":{"organization_id":["acme","globex"],"boost":1.0}}}"#)
        #expect(two.verdict == .multiTenant)
        #expect(two.tenants == ["acme", "globex"])
    }

    @Test func termsLookupIsUnjudged() {
        let j = Self.verdict(#"{"query":{"terms":{"organization_id":{"index":"users","id":"7","path":"orgs"}}}}"#)
        #expect(j.verdict == .unjudged)
        #expect(j.reason.contains("lookup"))
    }

    @Test func matchOnTenantFieldIsUnjudgedNotScoped() {
        #expect(Self.verdict(#"{"query":{"match":{"organization_id":{"query":"acme"}}}}"#).verdict == .unjudged)
    }

    @Test func termOnAnotherFieldDoesNotConfine() {
        #expect(Self.verdict(#"{"query":{"term":{"user_id":"acme"}}}"#).verdict == .unscoped)
    }

    // MARK: bool

    @Test func mustConfinesLikeFilter() {
        #expect(Self.verdict(#"{"query":{"bool":{"must":{"term":{"organization_id":"acme"}}}}}"#).verdict == .scoped)
    }

    @Test func shouldWithoutMinimumShouldMatchDoesNotConfine() {
        let j = Self.verdict(#"{"query":{"bool":{"should":[{"term":{"organization_id":"acme"}}]}}}"#)
        #expect(j.verdict == .unscoped)
        #expect(j.reason.contains("should without minimum_should_match"))
    }

    @Test func shouldWithMinimumShouldMatchConfinesWhenEveryClauseDoes() {
        let one = Self.verdict(#"{"query":{"bool":{"should":[{"term":{"organization_id":"acme"}}],"minimum_should_match":1}}}"#)
        #expect(one.verdict == .scoped)
        let mixed = Self.verdict(#"{"query":{"bool":{"should":[{"term":{"organization_id":"acme"}},{"match":{"name":"x"}}],"minimum_should_match":"1"}}}"#)
        #expect(mixed.verdict == .unscoped)
        let zero = Self.verdict(#"{"query":{"bool":{"should":[{"term":{"organization_id":"acme"}}],"minimum_should_match":0}}}"#)
        #expect(zero.verdict == .unscoped)
    }

    @Test func minimumShouldMatchForms() {
        #expect(DSLBoolRule.minimumShouldMatch(.string("75%"), clauses: 4) == 3)
        #expect(DSLBoolRule.minimumShouldMatch(.string("-1"), clauses: 3) == 2)
        #expect(DSLBoolRule.minimumShouldMatch(.number("2"), clauses: 3) == 2)
        #expect(DSLBoolRule.minimumShouldMatch(.string("3<90%"), clauses: 3) == nil)
    }

    @Test func mustNotNeverConfines() {
        let j = Self.verdict(#"{"query":{"bool":{"must_not":[{"term":{"organization_id":"globex"}}]}}}"#)
        #expect(j.verdict == .unscoped)
        #expect(j.reason.contains("must_not"))
    }

    @Test func conflictingTenantsInMustMatchNothing() {
        let j = Self.verdict(#"{"query":{"bool":{"filter":[{"term":{"organization_id":"acme"}},{"term":{"organization_id":"globex"}}]}}}"#)
        #expect(j.verdict == .scoped)
        #expect(j.tenants.isEmpty)
    }

    @Test func nestedBoolsConfineThroughEveryLevel() {
        let j = Self.verdict(#"{"query":{"bool":{"must":[{"bool":{"filter":{"bool":{"must":[{"term":{"organization_id":"acme"}}]}}}}]}}}"#)
        #expect(j.tenants == ["acme"])
    }

    // MARK: wrappers

    @Test func constantScoreDisMaxNestedHasChildBoostingFunctionScore() {
        #expect(Self.verdict(#"{"query":{"constant_score":{"filter":{"term":{"organization_id":"acme"}}}}}"#).verdict == .scoped)
        #expect(Self.verdict(#"{"query":{"dis_max":{"queries":[{"term":{"organization_id":"acme"}},{"term":{"organization_id":"acme"}}]}}}"#).verdict == .scoped)
        #expect(Self.verdict(#"{"query":{"dis_max":{"queries":[{"term":{"organization_id":"acme"}},{"match":{"name":"x"}}]}}}"#).verdict == .unscoped)
        #expect(Self.verdict(#"{"query":{"nested":{"path":"c","query":{"term":{"organization_id":"acme"}}}}}"#).verdict == .scoped)
        #expect(Self.verdict(#"{"query":{"has_child":{"type":"c","query":{"term":{"organization_id":"acme"}}}}}"#).verdict == .scoped)
        #expect(Self.verdict(#"{"query":{"boosting":{"positive":{"term":{"organization_id":"acme"}},"negative":{"match":{"x":"y"}}}}}"#).verdict == .scoped)
        #expect(Self.verdict(#"{"query":{"function_score":{"query":{"term":{"organization_id":"acme"}},"functions":[]}}}"#).verdict == .scoped)
        #expect(Self.verdict(#"{"query":{"function_score":{"functions":[]}}}"#).verdict == .unscoped)
    }

    // MARK: opaque clauses

    @Test func queryStringMentioningTenantFieldIsUnjudged() {
        let j = Self.verdict(#"{"query":{"query_string":{"query":"organization_id:acme AND name:x"}}}"#)
        #expect(j.verdict == .unjudged)
        #expect(Self.verdict(#"{"query":{"query_string":{"query":"name:x"}}}"#).verdict == .unscoped)
    }

    @Test func scriptAndWrapperAreUnjudged() {
        #expect(Self.verdict(#"{"query":{"bool":{"filter":{"script":{"script":"doc['organization_id'].value == 'acme'"}}}}}"#).verdict == .unjudged)
        #expect(Self.verdict(#"{"query":{"wrapper":{"query":"eyJ0ZXJtIjp7fX0="}}}"#).verdict == .unjudged)
    }

    @Test func anUnjudgedClauseBesideAConfiningOneStillConfines() {
        let j = Self.verdict(#"{"query":{"bool":{"filter":[{"term":{"organization_id":"acme"}},{"script":{"script":"true"}}]}}}"#)
        #expect(j.verdict == .scoped)
    }

    @Test func rangeOrPrefixOnTenantFieldDoesNotConfine() {
        #expect(Self.verdict(#"{"query":{"prefix":{"organization_id":"ac"}}}"#).verdict == .unscoped)
    }

    @Test func matchNoneMatchesNothing() {
        #expect(Self.verdict(#"{"query":{"match_none":{"boost":1.0}}}"#).verdict == .scoped)
    }

    // MARK: body

    @Test func noQueryIsUnscoped() {
        #expect(Self.verdict("{}").verdict == .unscoped)
        #expect(Self.verdict(#"{"size":10}"#).verdict == .unscoped)
    }

    @Test func postFilterOnlyWithAggregationsIsUnscoped() {
        let j = Self.verdict(#"{"query":{"match_all":{}},"post_filter":{"term":{"organization_id":"acme"}},"aggs":{"by_type":{"terms":{"field":"type"}}}}"#)
        #expect(j.verdict == .unscoped)
        #expect(j.reason.contains("post_filter"))
        // Hits only: post_filter filters them; no aggregation sees the others.
        #expect(Self.verdict(#"{"query":{"match_all":{}},"post_filter":{"term":{"organization_id":"acme"}}}"#).verdict == .scoped)
    }

    @Test func globalAggregationEscapesTheQuery() {
        let escape = Self.verdict(#"{"query":{"term":{"organization_id":"acme"}},"aggs":{"all":{"global":{},"aggs":{"types":{"terms":{"field":"type"}}}}}}"#)
        #expect(escape.verdict == .unscoped)
        #expect(escape.reason.contains("global"))
        let refiltered = Self.verdict(#"{"query":{"term":{"organization_id":"acme"}},"aggs":{"all":{"global":{},"aggs":{"mine":{"filter":{"term":{"organization_id":"acme"}},"aggs":{"types":{"terms":{"field":"type"}}}}}}}}"#)
        #expect(refiltered.verdict == .scoped)
    }

    @Test func knnWithoutFilterWidensTheHits() {
        #expect(Self.verdict(#"{"query":{"term":{"organization_id":"acme"}},"knn":{"field":"v","query_vector":[1,2],"k":5}}"#).verdict == .unscoped)
        #expect(Self.verdict(#"{"knn":{"field":"v","query_vector":[1,2],"k":5,"filter":{"term":{"organization_id":"acme"}}}}"#).verdict == .scoped)
    }

    @Test func bodyThatIsNotJSONIsUnjudged() {
        let j = Self.verdict(#"{"query":{"term":"#)
        #expect(j.verdict == .unjudged)
        #expect(j.reason.contains("not JSON"))
    }

    @Test func deepNestingIsUnjudgedNotACrash() {
        var body = #"{"term":{"organization_id":"acme"}}"#
        for _ in 0..<100 { body = #"{"bool":{"filter":"# + body + "}}" }
        #expect(Self.verdict(#"{"query":"# + body + "}").verdict == .unjudged)
    }

    // MARK: indices

    @Test func globalSystemAndUnlistedIndicesAreNotApplicable() {
        #expect(Self.verdict("{}", index: "help-articles").verdict == .notApplicable)
        #expect(Self.verdict("{}", index: ".kibana_1").verdict == .notApplicable)
        #expect(Self.verdict("{}", index: "metrics").verdict == .notApplicable)
        #expect(Self.verdict("{}", index: "documents").verdict == .unscoped)
    }

    @Test func scopedAliasConfinesToItsTenant() {
        let j = Self.verdict(#"{"query":{"match":{"name":"x"}}}"#, index: "activities-acme")
        #expect(j.verdict == .scoped)
        #expect(j.tenants == ["acme"])
    }

    @Test func withoutTenantFieldsNothingIsJudged() {
        let judge = SearchBodyJudge(search: Configuration.Search())
        let q = SearchQuery(position: SourcePosition(file: "t", line: 1), time: nil, origin: .slowLogJSON, indices: ["a"], body: "{}")
        #expect(judge.judge(q)[0].verdict == .notApplicable)
    }

    // MARK: _msearch

    @Test func msearchNDJSONJudgesEachSearchWithItsOwnIndex() {
        let body = """
        {"index":"activities-2026"}
        {"query":{"term":{"organization_id":"acme"}}}
        {"index":"documents"}
        {"query":{"match":{"title":"x"}}}
        {"index":"help-articles"}
        {"query":{"match_all":{}}}
        """
        let q = SearchQuery(position: SourcePosition(file: "t", line: 1), time: nil, origin: .audit, indices: [], body: body)
        let parts = Self.judge.judge(q)
        #expect(parts.map(\.verdict) == [.scoped, .unscoped, .notApplicable])
        #expect(parts.map(\.part) == [1, 2, 3])
        #expect(parts[1].indices == ["documents"])
    }

    @Test func msearchArrayOfHeaderBodyPairs() {
        let body = #"[{"index":"documents"},{"query":{"term":{"organization_id":"acme"}}},{"index":"documents"},{"query":{"match_all":{}}}]"#
        let q = SearchQuery(position: SourcePosition(file: "t", line: 1), time: nil, origin: .audit, indices: [], body: body)
        #expect(Self.judge.judge(q).map(\.verdict) == [.scoped, .unscoped])
    }

    @Test func shapeIgnoresValuesSoTenantsShareAFingerprint() throws {
        let a = Self.verdict(#"{"query":{"term":{"organization_id":"acme"}}}"#)
        let b = Self.verdict(#"{"query":{"term":{"organization_id":"globex"}}}"#)
        let c = Self.verdict(#"{"query":{"match":{"organization_id":"globex"}}}"#)
        #expect(a.shape == b.shape)
        #expect(a.shape != c.shape)
    }

    @Test func indexPatterns() {
        #expect(IndexPattern("activities-*").matches("activities-2026"))
        #expect(!IndexPattern("activities-*").matches("activity-2026"))
        #expect(IndexPattern("*-logs-*").matches("app-logs-1"))
        #expect(IndexPattern("a*b*c").matches("abc") && !IndexPattern("a*b*c").matches("acb"))
    }
}
