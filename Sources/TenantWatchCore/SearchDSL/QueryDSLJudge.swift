/// Judges an Elasticsearch / OpenSearch query clause: does every path to a document pass a
/// `term`/`terms` on a tenant field in a `filter` or `must` position?
///
/// A clause is an object with one key, its type. Each type's rule lives in its own file
/// (`DSLTermRule`, `DSLBoolRule`, `DSLWrapperRules`, `DSLOpaqueRules`); this type only
/// dispatches and guards depth. Unknown types are judged by whether they name a tenant field:
/// not at all → unconfined; yes → unjudged (a rule we do not know may or may not confine).
public struct QueryDSLJudge: Sendable {
    public let tenancy: SearchTenancy
    /// Deeper nesting than this is reported as unjudged, not walked (a hostile body).
    public var maximumDepth = 64

    public init(tenancy: SearchTenancy) { self.tenancy = tenancy }

    /// The confinement of one query clause.
    public func judge(_ clause: JSONValue, depth: Int = 0) -> Confinement {
        guard depth < maximumDepth else { return .unjudged("query nested deeper than \(maximumDepth) levels") }
        guard case .object(let members) = clause else {
            return .unjudged("a query clause that is not an object")
        }
        // `{}` is accepted by the servers as match_all in some positions.
        guard let (type, body) = members.first else { return .unconfined("an empty query matches every document") }
        guard members.count == 1 else {
            return .unjudged("a query clause with \(members.count) keys (\(members.map(\.0).joined(separator: ", "))): the server would reject it")
        }
        switch type {
        case "term", "terms", "match", "match_phrase":
            return DSLTermRule.judge(type: type, body, tenancy: tenancy)
        case "bool":
            return DSLBoolRule.judge(body, judge: self, depth: depth)
        case "constant_score", "dis_max", "nested", "has_child", "has_parent", "boosting", "function_score",
             "script_score", "pinned", "rule":
            return DSLWrapperRules.judge(type: type, body, judge: self, depth: depth)
        case "match_none":
            return .tenants([])
        case "match_all":
            return .unconfined("match_all matches every document")
        default:
            return DSLOpaqueRules.judge(type: type, body, tenancy: tenancy)
        }
    }

    /// A clause position that holds one clause or an array of them (`must`, `filter`, ...).
    func clauses(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case .array(let items)?: return items
        case .object?: return [value!]
        default: return []
        }
    }
}

/// Whether a JSON value names a tenant field anywhere as an object key (or, in text, at all).
enum TenantFieldMentions {
    static func mentions(_ value: JSONValue, tenancy: SearchTenancy, depth: Int = 0) -> Bool {
        guard depth < 64 else { return true }
        switch value {
        case .object(let members):
            for (k, v) in members {
                if tenancy.isTenantField(k) { return true }
                if case .string(let s) = v, tenancy.isTenantField(s) { return true }
                if mentions(v, tenancy: tenancy, depth: depth + 1) { return true }
            }
            return false
        case .array(let items):
            return items.contains { mentions($0, tenancy: tenancy, depth: depth + 1) }
        case .string(let s):
            return tenancy.mentionsTenantField(s)
        default:
            return false
        }
    }
}
