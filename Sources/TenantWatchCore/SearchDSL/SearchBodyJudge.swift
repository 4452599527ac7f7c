/// Judges a whole search: which of its indices are tenant-owned, then its body.
///
/// The body's documents are those of `query` (no query: every document), together with those
/// of each top-level `knn` search (its own `filter`), since hits are the union of the two. A
/// tenant term only in `post_filter` filters the hits after aggregations ran, so with
/// aggregations (or suggesters) the search is unscoped; without them the hits are confined. A
/// `global` aggregation ignores the query: it is unscoped unless a `filter` aggregation under it
/// confines each of its sub-aggregations. An `_msearch` is judged search by search.
public struct SearchBodyJudge: Sendable {
    public let tenancy: SearchTenancy
    public let dsl: QueryDSLJudge
    /// Bodies larger than this are not parsed (reported unjudged): a hostile line cannot make
    /// the judge build a tree of megabytes.
    public var maximumBodyBytes = 1 << 20

    public init(tenancy: SearchTenancy) {
        self.tenancy = tenancy
        self.dsl = QueryDSLJudge(tenancy: tenancy)
    }

    public init(search: Configuration.Search) { self.init(tenancy: SearchTenancy(search)) }

    public func judge(_ query: SearchQuery) -> [JudgedSearch] {
        if query.body.utf8.count > maximumBodyBytes {
            return [judged(query, indices: query.indices, body: query.body, verdict: .unjudged, tenants: [],
                           reason: "the query body is \(query.body.utf8.count) bytes, over the \(maximumBodyBytes) judged",
                           shape: "oversize", part: nil)]
        }
        let parts = MultiSearchBody.parts(of: query.body)
        return parts.enumerated().map { k, part in
            judge(query, part: part, number: parts.count > 1 ? k + 1 : nil)
        }
    }

    private func judge(_ query: SearchQuery, part: MultiSearchBody.Part, number: Int?) -> JudgedSearch {
        let indices = part.indices ?? query.indices
        guard tenancy.isConfigured else {
            return judged(query, indices: indices, body: part.text, verdict: .notApplicable, tenants: [],
                          reason: "no [search] tenant_fields configured", shape: "", part: number)
        }
        var aliasTenants: [Confinement] = []
        var tenantOwned: [String] = []
        for name in (indices.isEmpty ? [""] : indices) {
            switch name.isEmpty ? .tenantOwned : tenancy.classify(name) {
            case .tenantOwned: tenantOwned.append(name)
            case .scopedAlias(let tenant): aliasTenants.append(.tenants([tenant])); tenantOwned.append(name)
            case .global, .notTenantOwned: break
            }
        }
        tenantOwned = tenantOwned.filter { !$0.isEmpty }
        if tenantOwned.isEmpty && !indices.isEmpty {
            return judged(query, indices: indices, body: part.text, verdict: .notApplicable, tenants: [],
                          reason: "no tenant-owned index (\(indices.joined(separator: ", ")))", shape: "", part: number)
        }
        guard let body = part.body else {
            return judged(query, indices: indices, tenantIndices: tenantOwned, body: part.text, verdict: .unjudged, tenants: [],
                          reason: "the query body is not JSON (\(part.parseError ?? "unreadable"))", shape: "unreadable", part: number)
        }
        let shape = DSLShape.shape(body)
        guard case .object = body else {
            return judged(query, indices: indices, tenantIndices: tenantOwned, body: part.text, verdict: .unjudged, tenants: [],
                          reason: "the query body is not a JSON object", shape: shape, part: number)
        }
        var confinement = judgeBody(body)
        // Every index addressed through a scoped alias is confined by the alias filter as well;
        // a mix of aliases and plain indices is confined only as far as the plain ones are.
        if !aliasTenants.isEmpty, aliasTenants.count == tenantOwned.count {
            confinement = Confinement.all([confinement] + aliasTenants, emptyReason: "")
        } else if !aliasTenants.isEmpty, case .tenants = confinement {
            confinement = Confinement.all([confinement] + aliasTenants, emptyReason: "")
        }
        switch confinement {
        case .tenants(let set):
            let tenants = set.sorted()
            return judged(query, indices: indices, tenantIndices: tenantOwned, body: part.text,
                          verdict: tenants.count > 1 ? .multiTenant : .scoped, tenants: tenants,
                          reason: tenants.count > 1 ? "confined to \(tenants.count) tenants" : tenants.isEmpty ? "matches no document" : "confined to \(tenants[0])",
                          shape: shape, part: number)
        case .unconfined(let why):
            return judged(query, indices: indices, tenantIndices: tenantOwned, body: part.text, verdict: .unscoped, tenants: [],
                          reason: why, shape: shape, part: number)
        case .unjudged(let why):
            return judged(query, indices: indices, tenantIndices: tenantOwned, body: part.text, verdict: .unjudged, tenants: [],
                          reason: why, shape: shape, part: number)
        }
    }

    /// The body's confinement: query ∪ knn, then post_filter and global aggregations.
    func judgeBody(_ body: JSONValue) -> Confinement {
        var branches: [Confinement] = []
        let knn = dsl.clauses(body["knn"])
        if let q = body["query"] {
            branches.append(dsl.judge(q))
        } else if knn.isEmpty {
            branches.append(.unconfined("no query: every document matches"))
        }
        for k in knn {
            if let filter = k["filter"] {
                let clauses = dsl.clauses(filter)
                branches.append(Confinement.all(clauses.map { dsl.judge($0) }, emptyReason: "knn with an empty filter"))
            } else {
                branches.append(.unconfined("a knn search without a tenant filter"))
            }
        }
        var result = Confinement.any(branches, emptyReason: "no query")
        let aggregations = body["aggs"] ?? body["aggregations"]
        if let post = body["post_filter"] {
            let p = dsl.judge(post)
            if case .tenants = result {
                result = Confinement.all([result, p], emptyReason: "")
            } else if case .tenants = p {
                if aggregations != nil || body["suggest"] != nil {
                    let what = aggregations != nil ? "aggregations" : "suggesters"
                    return .unconfined("the tenant term is only in post_filter, which runs after the \(what): they see every tenant's documents")
                }
                result = p
            }
        }
        if case .tenants = result, let aggregations, let escape = globalEscape(aggregations, scoped: true, depth: 0) {
            return .unconfined(escape)
        }
        return result
    }

    /// The first aggregation that reads documents outside the query's confinement: under a
    /// `global` aggregation, until a `filter` aggregation confines again.
    func globalEscape(_ aggs: JSONValue, scoped: Bool, depth: Int) -> String? {
        guard depth < 32, case .object(let named) = aggs else { return nil }
        for (name, agg) in named {
            guard case .object(let members) = agg else { continue }
            var inner = scoped
            var type = ""
            for (key, value) in members where key != "aggs" && key != "aggregations" && key != "meta" {
                type = key
                if key == "global" { inner = false }
                if key == "filter", !scoped { inner = dsl.judge(value).isConfined }
                if key == "filters", !scoped, case .object(let f) = value, case .object(let each)? = f.first(where: { $0.0 == "filters" })?.1 {
                    inner = each.allSatisfy { dsl.judge($0.1).isConfined }
                }
            }
            let sub = agg["aggs"] ?? agg["aggregations"]
            // A filter aggregation that does not confine is still fine when its sub-aggregations
            // are judged below; alone, it counts every tenant's documents.
            let isFilter = type == "filter" || type == "filters"
            if !inner, type != "global", !isFilter || sub == nil {
                return "aggregation \"\(name)\" sits under a global aggregation, which ignores the query: it reads every tenant's documents"
            }
            if type == "global", sub == nil {
                return "global aggregation \"\(name)\" counts every tenant's documents, ignoring the query"
            }
            if let sub, let escape = globalEscape(sub, scoped: inner, depth: depth + 1) { return escape }
        }
        return nil
    }

    private func judged(_ query: SearchQuery, indices: [String], tenantIndices: [String] = [], body: String,
                        verdict: SearchVerdict, tenants: [String], reason: String, shape: String, part: Int?) -> JudgedSearch {
        JudgedSearch(query: query, indices: indices, tenantIndices: tenantIndices, body: body, verdict: verdict,
                     tenants: tenants, reason: reason, shape: shape, part: part)
    }
}
