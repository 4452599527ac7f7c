/// Compound queries that wrap other clauses: the documents they match are those their inner
/// query matches (`constant_score.filter`, `boosting.positive`, `function_score.query`,
/// `script_score.query`, `nested.query`, `has_child`/`has_parent` — parent and child share
/// their tenant's routing), or any one of several (`dis_max.queries`).
enum DSLWrapperRules {
    static func judge(type: String, _ body: JSONValue, judge: QueryDSLJudge, depth: Int) -> Confinement {
        guard case .object = body else { return .unjudged("\(type) that is not an object") }
        switch type {
        case "constant_score":
            guard let inner = body["filter"] else { return .unjudged("constant_score without a filter") }
            return judge.judge(inner, depth: depth + 1)
        case "boosting":
            guard let inner = body["positive"] else { return .unjudged("boosting without a positive query") }
            return judge.judge(inner, depth: depth + 1)
        case "dis_max":
            let queries = judge.clauses(body["queries"])
            return Confinement.any(queries.map { judge.judge($0, depth: depth + 1) }, emptyReason: "dis_max without queries")
        case "pinned", "rule":
            // Pinned ids are returned whatever the organic query says.
            let organic = body["organic"].map { judge.judge($0, depth: depth + 1) } ?? .unconfined("\(type) without organic query")
            if body["ids"] != nil || body["docs"] != nil || type == "rule" {
                return Confinement.any([organic, .unconfined("\(type) promotes documents by id, whatever their tenant")], emptyReason: "")
            }
            return organic
        default:
            // nested, has_child, has_parent, function_score, script_score: `query`.
            guard let inner = body["query"] else {
                return type == "function_score" ? .unconfined("function_score without a query matches every document")
                    : .unjudged("\(type) without a query")
            }
            // A `min_score` only removes documents: it never widens the inner query.
            return judge.judge(inner, depth: depth + 1)
        }
    }
}
