/// Clauses whose matching the judge does not follow. Those that name no tenant field cannot
/// confine and are unconfined. Those that do are unjudged when their text or code decides the
/// match (`query_string`, `simple_query_string`, `script`, `wrapper`, `percolate`, types this
/// build does not know), and unconfined when the type is known never to pin one value (`range`,
/// `prefix`, `wildcard`, `regexp`, `fuzzy`, `exists` on the tenant field).
enum DSLOpaqueRules {
    static let neverOneValue: Set<String> = ["range", "prefix", "wildcard", "regexp", "fuzzy", "exists", "ids",
                                             "match_phrase_prefix", "match_bool_prefix", "multi_match", "combined_fields",
                                             "more_like_this", "geo_distance", "geo_bounding_box", "geo_shape", "knn",
                                             "intervals", "span_term", "terms_set", "distance_feature", "rank_feature"]

    static func judge(type: String, _ body: JSONValue, tenancy: SearchTenancy) -> Confinement {
        switch type {
        case "script":
            return .unjudged("a script query decides the match in code")
        case "wrapper":
            return .unjudged("a wrapper query holds its body base64-encoded")
        case "query_string", "simple_query_string":
            if TenantFieldMentions.mentions(body, tenancy: tenancy) {
                return .unjudged("\(type) mentions a tenant field: its query syntax is not judged")
            }
            return .unconfined("\(type) names no tenant field")
        default:
            let mentions = TenantFieldMentions.mentions(body, tenancy: tenancy)
            if !mentions { return .unconfined("\(type) does not filter by tenant") }
            if neverOneValue.contains(type) { return .unconfined("\(type) on a tenant field does not confine to one tenant") }
            return .unjudged("\(type) names a tenant field; this query type is not judged")
        }
    }
}
