/// `term` / `terms` on a tenant field: the one clause that confines. `terms` with one value is
/// one tenant, with several is several (multi-tenant). A `terms` lookup (`{"index", "id",
/// "path"}`) fetches its values from another document at search time: unjudged. `match` and
/// `match_phrase` on a tenant field are analysed full-text queries, not an exact filter: unjudged.
enum DSLTermRule {
    /// Option keys that sit beside the field in `terms` (and inside `term`'s object form).
    static let options: Set<String> = ["boost", "_name", "case_insensitive"]

    static func judge(type: String, _ body: JSONValue, tenancy: SearchTenancy) -> Confinement {
        guard case .object(let members) = body else { return .unjudged("\(type) without a field object") }
        let fields = members.filter { !options.contains($0.0) }
        guard fields.count == 1, let (field, value) = fields.first else {
            return .unjudged("\(type) naming \(fields.count) fields")
        }
        guard tenancy.isTenantField(field) else { return .unconfined("\(type) on \(field), not a tenant field") }
        switch type {
        case "term":
            var v = value
            if case .object = value {
                if value["case_insensitive"]?.scalarText == "true" {
                    return .unjudged("case-insensitive term on \(field) may match several tenants")
                }
                guard let inner = value["value"] else { return .unjudged("term on \(field) without a value") }
                v = inner
            }
            guard let tenant = v.scalarText else { return .unjudged("term on \(field) with a non-scalar value") }
            return .tenants([tenant])
        case "terms":
            switch value {
            case .array(let items):
                var tenants = Set<String>()
                for item in items {
                    guard let t = item.scalarText else { return .unjudged("terms on \(field) with a non-scalar value") }
                    tenants.insert(t)
                }
                return .tenants(tenants)
            case .object:
                return .unjudged("terms lookup on \(field): the tenant values come from another document at search time")
            default:
                return .unjudged("terms on \(field) without a list of values")
            }
        default:
            return .unjudged("\(type) on \(field) is analysed full text, not an exact tenant filter (use term)")
        }
    }
}
