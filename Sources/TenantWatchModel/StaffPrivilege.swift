/// What a *verified* token says about a staff caller who may read other tenants' data: support
/// staff impersonating a customer, an administrator working across tenants.
///
/// Set on `CallerIdentity.privilege` only for a token whose signature was checked against a
/// configured key (and that was valid at the request's time): a forged or unverified token that
/// claims `role=admin` must never turn a leak into an accounted access.
public struct StaffPrivilege: Sendable, Equatable {
    /// The claim value that granted it (`support`, `admin`).
    public var role: String
    /// Who the staff member is: `act.sub` of an RFC 8693 token, else the configured subject claim.
    public var staff: String?
    /// Why they accessed (`[identity] privileged.reason`, a ticket number, say), when the token says.
    public var reason: String?
    /// The one tenant the staff member is acting as, when the token says so (`act`, or an
    /// impersonation claim). An impersonation scopes the privilege: touching any other tenant is
    /// a leak like any customer's.
    public var impersonatedTenant: String?
    /// The tenant claim of the token itself (a staff realm such as `internal`, or none).
    public var homeTenant: String?

    public init(role: String, staff: String? = nil, reason: String? = nil, impersonatedTenant: String? = nil,
                homeTenant: String? = nil) {
        self.role = role
        self.staff = staff
        self.reason = reason
        self.impersonatedTenant = impersonatedTenant
        self.homeTenant = homeTenant
    }

    /// `support alice@corp (impersonating acme; reason: ticket 4711)`: for messages.
    public var summary: String {
        var s = "\(role) \(staff ?? "(no subject claim)")"
        var extra: [String] = []
        if let t = impersonatedTenant { extra.append("impersonating \(t)") }
        if let r = reason { extra.append("reason: \(r)") }
        if !extra.isEmpty { s += " (" + extra.joined(separator: "; ") + ")" }
        return s
    }
}
