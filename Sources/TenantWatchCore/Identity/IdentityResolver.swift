import Foundation
import TenantWatchModel

/// Turns a request's token (and Host) into a `CallerIdentity`.
///
/// A token is decoded and its signature checked once per distinct token string (a busy client
/// sends the same token on hundreds of requests); only the time checks (`exp`, `nbf` against the
/// request's logged time, not the wall clock: archives are replayed) run per request.
///
/// Trust: without a configured key a token is `unverified` and its tenant is taken as the
/// caller's. A token that is `invalid` (`alg: none`, bad signature, expired, malformed) keeps its
/// claimed tenant in `claimedTenant` only; `tenant` stays nil.
public struct IdentityResolver {
    public let claimPath: String
    public let hostPattern: HostPattern?
    public let keys: JWTKeySet
    public let leewaySeconds: Int
    /// `[identity] privileged` and `impersonation` (`PrivilegeReading`).
    public let privileged: PrivilegedClaims?
    public let impersonation: [String]

    /// Tokens that could not be decoded at all (wrong part count, bad base64, bad JSON, too
    /// long), counted per occurrence.
    public private(set) var malformedTokens = 0
    /// Tokens whose signature or validity failed (`alg none` included), per occurrence.
    public private(set) var invalidTokens = 0
    /// Distinct token strings decoded (cache misses).
    public private(set) var decodedTokens = 0

    /// Bound on the per-token cache; it is emptied when full.
    public var cacheLimit = 50_000
    private var cache: [String: Cached] = [:]

    private enum Cached {
        case malformed(String)
        case decoded(Decoded)
    }

    private struct Decoded {
        var claimedTenant: String?
        var algorithm: String?
        var subject: String?
        var sessionID: String?
        var masked: String
        /// nil: signature good (or not checked); otherwise why it failed.
        var signatureFailure: String?
        var expiresAt: Double?
        var notBefore: Double?
        /// Why the tenant claim or a time claim cannot be read without a guess (`ClaimReading`).
        var ambiguity: String?
        /// What the claims grant; only handed out when the token verifies.
        var privilege: StaffPrivilege?
    }

    public init(identity: Configuration.Identity, keys: JWTKeySet = .none) {
        self.claimPath = identity.claim
        self.hostPattern = identity.host.flatMap { HostPattern($0) }
        self.keys = keys
        self.leewaySeconds = identity.leewaySeconds
        self.privileged = identity.privileged
        self.impersonation = identity.impersonation
    }

    /// The tenant a (raw) Host names, through `identity.host`.
    public func hostTenant(forHost host: String) -> String? {
        hostPattern?.tenant(forHost: host)
    }

    /// Resolves the token of a request logged at `time` (nil: time checks are skipped).
    public mutating func resolve(token raw: String, at time: Timestamp?) -> CallerIdentity {
        if JWTToken.stripBearer(raw).isEmpty { return CallerIdentity() }
        let entry: Cached
        if let hit = cache[raw] {
            entry = hit
        } else {
            entry = decode(raw)
            decodedTokens += 1
            if raw.utf8.count <= JWTToken.maximumLength {
                if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[raw] = entry
            }
        }
        switch entry {
        case .malformed(let reason):
            malformedTokens += 1
            return CallerIdentity(source: .token, verification: .invalid, reason: "malformed token: \(reason)",
                                  maskedToken: JWTToken.mask(raw))
        case .decoded(let d):
            var id = CallerIdentity(tenant: nil, claimedTenant: d.claimedTenant, source: .token,
                                    verification: .invalid, reason: nil, algorithm: d.algorithm,
                                    subject: d.subject, sessionID: d.sessionID, maskedToken: d.masked)
            if let failure = d.signatureFailure {
                id.reason = failure
            } else if let ambiguity = d.ambiguity ?? untimedExpiry(d, at: time) {
                // Reported (an invalid token is an `unsigned_token` finding), never guessed.
                id.reason = "ambiguous: " + ambiguity
            } else if let reason = timeFailure(d, at: time) {
                id.reason = reason
            } else {
                id.tenant = d.claimedTenant
                id.verification = keys.isEmpty ? .unverified : .verified
                if id.verification == .verified, let p = d.privilege {
                    // Only a checked signature makes a role claim evidence; an impersonation
                    // makes the impersonated tenant the caller's, so every leak rule applies.
                    id.privilege = p
                    if let t = p.impersonatedTenant { id.tenant = t }
                }
            }
            if id.verification == .invalid { invalidTokens += 1 }
            return id
        }
    }

    /// A token that has expired by now, on an audit line without a readable time: whether it was
    /// still valid when the request was made cannot be told (only checked with a key).
    private func untimedExpiry(_ d: Decoded, at time: Timestamp?) -> String? {
        guard !keys.isEmpty, time == nil, let exp = d.expiresAt, exp < Date().timeIntervalSince1970 else { return nil }
        return "the token has expired by now and the audit line has no readable time, so whether it was valid at the request cannot be told"
    }

    private func timeFailure(_ d: Decoded, at time: Timestamp?) -> String? {
        // Without a key nothing is verified: an expired unsigned token is just "unverified".
        guard !keys.isEmpty, let time else { return nil }
        let now = time.seconds
        let leeway = Double(leewaySeconds)
        if let exp = d.expiresAt, now >= exp + leeway { return "expired" }
        if let nbf = d.notBefore, now + leeway < nbf { return "not yet valid" }
        return nil
    }

    private func decode(_ raw: String) -> Cached {
        let token: JWTToken
        do {
            token = try JWTToken(raw)
        } catch {
            return .malformed(error.description)
        }
        var failure: String?
        if token.algorithm?.lowercased() == "none" || token.algorithm == nil {
            // Refused with or without keys: an unsigned token proves nothing about its caller.
            failure = token.algorithm == nil ? "no alg" : "alg none"
        } else if !keys.isEmpty {
            failure = keys.checkSignature(of: token)
        }
        var ambiguity: String?
        var claimed: String?
        switch ClaimReading.read(token.claims, path: claimPath) {
        case .value(let t): claimed = t
        case .absent: break
        case .ambiguous(let why): ambiguity = why
        }
        // Time claims matter only where they are checked (with a key).
        if ambiguity == nil, !keys.isEmpty { ambiguity = token.timeClaimAmbiguity }
        let privilege = privileged.flatMap {
            PrivilegeReading.read(token.claims, privileged: $0, impersonation: impersonation, tenantClaim: claimPath)
        }
        return .decoded(Decoded(claimedTenant: claimed, algorithm: token.algorithm,
                                subject: token.subject, sessionID: token.sessionID, masked: JWTToken.mask(raw),
                                signatureFailure: failure, expiresAt: token.expiresAt, notBefore: token.notBefore,
                                ambiguity: ambiguity, privilege: privilege))
    }
}
