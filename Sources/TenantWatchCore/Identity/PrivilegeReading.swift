/// Reads a token's staff privilege (`[identity] privileged`, `[identity] impersonation`) exactly
/// as `ClaimReading` reads the tenant: names match exactly, and anything that cannot be read
/// without a guess grants nothing.
///
/// Failing closed matters in both directions. A role claim that cannot be read is no privilege
/// (the leak stays a leak). An impersonation claim that cannot be read — given twice, an array,
/// two claims naming different tenants, an `act` token without a tenant — is not read as "no
/// impersonation" either: that would widen a support session scoped to one customer into an
/// administrator's access to all of them. Such a token is treated as not privileged.
///
/// The caller decides whether the token was verified; this only reads claims.
enum PrivilegeReading {
    static func read(_ claims: JSONValue, privileged: PrivilegedClaims, impersonation: [String],
                     tenantClaim: String) -> StaffPrivilege? {
        guard case .value(let found) = exact(claims, path: privileged.claim) else { return nil }
        let granted: String?
        switch found {
        case .string(let s): granted = privileged.values.contains(s) ? s : nil
        case .array(let items):
            // `roles: ["user", "support"]`: any one granting value; a non-string member is not read.
            guard items.allSatisfy({ if case .string = $0 { return true } else { return false } }) else { return nil }
            granted = items.lazy.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
                .first { privileged.values.contains($0) }
        default: granted = nil
        }
        guard let role = granted else { return nil }
        var p = StaffPrivilege(role: role)
        p.homeTenant = scalar(claims, tenantClaim)
        p.staff = scalar(claims, privileged.subject)
        p.reason = scalar(claims, privileged.reason)
        var impersonated: Set<String> = []
        for name in impersonation {
            if name == "act" {
                // RFC 8693 §4.1: the token is the customer's (its tenant claim is theirs); `act`
                // names the actor, the staff member acting for them.
                switch exact(claims, path: "act") {
                case .absent: continue
                case .ambiguous: return nil
                case .value(let actor):
                    guard case .object = actor, let tenant = p.homeTenant else { return nil }
                    impersonated.insert(tenant)
                    if case .value(let s) = ClaimReading.read(actor, path: "sub") { p.staff = s }
                }
            } else {
                switch ClaimReading.read(claims, path: name) {
                case .absent: continue
                case .ambiguous: return nil
                case .value(let t): impersonated.insert(t)
                }
            }
        }
        guard impersonated.count <= 1 else { return nil }
        p.impersonatedTenant = impersonated.first
        return p
    }

    private enum Lookup { case value(JSONValue), absent, ambiguous }

    /// The raw value at a dotted path, names matched exactly, a name given twice ambiguous.
    private static func exact(_ claims: JSONValue, path: String) -> Lookup {
        var current = claims
        for segment in JSONValue.segments(of: path) {
            guard case .object(let members) = current else { return .ambiguous }
            let hits = members.filter { $0.0 == segment }
            if hits.count > 1 { return .ambiguous }
            guard let hit = hits.first else { return .absent }
            current = hit.1
        }
        if case .null = current { return .absent }
        return .value(current)
    }

    private static func scalar(_ claims: JSONValue, _ path: String) -> String? {
        if case .value(let s) = ClaimReading.read(claims, path: path) { return s }
        return nil
    }
}
