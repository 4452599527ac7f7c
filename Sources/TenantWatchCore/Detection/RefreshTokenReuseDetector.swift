import TenantWatchModel

/// `refresh_token_reuse`: a refresh token presented again after it was rotated — the classic
/// sign that it was stolen (the thief and the owner both hold it). The finding names the
/// sessions of the whole token family, which are the ones to revoke.
///
/// Memory is bounded: the oldest tokens are forgotten past `capacity`.
public struct RefreshTokenReuseDetector: RequestDetector {
    struct Family { var sessions: [String] = []; var tenant: String? }

    public var capacity: Int
    private var familyOf: [String: Int] = [:]   // token → family
    private var rotated: Set<String> = []
    private var families: [Int: Family] = [:]
    private var order: [String] = []
    private var nextFamily = 0

    public init(capacity: Int = 500_000) { self.capacity = capacity }

    public mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        guard let presented = r.refreshToken, !presented.isEmpty else { return [] }
        let family: Int
        if let f = familyOf[presented] {
            family = f
        } else {
            family = nextFamily
            nextFamily += 1
            remember(presented, family: family)
        }
        if let sid = r.caller.sessionID ?? r.caller.subject, !(families[family]?.sessions.contains(sid) ?? false) {
            families[family, default: Family()].sessions.append(sid)
        }
        if families[family]?.tenant == nil { families[family, default: Family()].tenant = r.caller.tenant }

        var findings: [Finding] = []
        if rotated.contains(presented) {
            let sessions = families[family]?.sessions ?? []
            let list = sessions.isEmpty ? "every session of this token family" : "sessions " + sessions.joined(separator: ", ")
            let message = "refresh token \(JWTToken.mask(presented)) presented again after it was rotated; revoke \(list)"
            findings.append(r.finding(kind: .refreshTokenReuse, severity: .high, message: message,
                                      callerTenant: r.caller.tenant ?? families[family]?.tenant))
        }
        if let issued = r.issuedRefreshToken, !issued.isEmpty, issued != presented, r.succeeded {
            rotated.insert(presented)
            remember(issued, family: family)
        }
        return findings
    }

    private mutating func remember(_ token: String, family: Int) {
        if familyOf[token] == nil { order.append(token) }
        familyOf[token] = family
        if order.count > capacity {
            let drop = order.count - capacity * 9 / 10
            for old in order.prefix(drop) {
                familyOf.removeValue(forKey: old)
                rotated.remove(old)
            }
            order.removeFirst(drop)
        }
    }
}
