/// What a query (or one clause of it) proves about the tenant of every document it can match —
/// the search counterpart of the SQL analyzer's tenant predicate.
public enum Confinement: Sendable, Equatable {
    /// Every document matched carries one of these tenants in a tenant field. Empty: the
    /// clause matches nothing (`match_none`, two different tenants required at once).
    case tenants(Set<String>)
    /// Nothing confines it: documents of any tenant can match. The reason says what is missing.
    case unconfined(String)
    /// It cannot be told (a `query_string` naming the tenant field, a script, a terms lookup):
    /// said as such, never guessed as confined.
    case unjudged(String)

    /// Every clause must match (`must`, `filter`): one confining clause confines the whole; the
    /// tenants are those every confining clause allows.
    static func all(_ parts: [Confinement], emptyReason: String) -> Confinement {
        var sets: [Set<String>] = []
        var unjudged: String?
        var unconfined: String?
        for p in parts {
            switch p {
            case .tenants(let s): sets.append(s)
            case .unjudged(let why): if unjudged == nil { unjudged = why }
            case .unconfined(let why): if unconfined == nil { unconfined = why }
            }
        }
        if var first = sets.first {
            for s in sets.dropFirst() { first.formIntersection(s) }
            return .tenants(first)
        }
        if let unjudged { return .unjudged(unjudged) }
        return .unconfined(unconfined ?? emptyReason)
    }

    /// Any one clause may match (`should` with a minimum, `dis_max`, query ∪ knn): confined only
    /// when every branch is; one unconfined branch lets every tenant's documents through.
    static func any(_ parts: [Confinement], emptyReason: String) -> Confinement {
        guard !parts.isEmpty else { return .unconfined(emptyReason) }
        var union = Set<String>()
        var unjudged: String?
        for p in parts {
            switch p {
            case .tenants(let s): union.formUnion(s)
            case .unjudged(let why): if unjudged == nil { unjudged = why }
            case .unconfined: return p
            }
        }
        if let unjudged { return .unjudged(unjudged) }
        return .tenants(union)
    }

    var isConfined: Bool { if case .tenants = self { return true } else { return false } }
}
