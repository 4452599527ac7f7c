import Foundation
import TOMLKit

/// `[identity] privileged`: which claim of a verified token grants cross-tenant access, and
/// where the staff member's name and reason are.
public struct PrivilegedClaims: Sendable, Equatable {
    /// Dotted claim path (`role`, `realm_access.roles`): a string, or an array of strings.
    public var claim: String
    /// Values of `claim` that grant the access (`support`, `admin`).
    public var values: [String]
    /// The staff member's identity (default `sub`; `act.sub` wins on an RFC 8693 token).
    public var subject: String = "sub"
    /// Why they accessed, when the token carries it (default `reason`).
    public var reason: String = "reason"

    public init(claim: String, values: [String], subject: String = "sub", reason: String = "reason") {
        self.claim = claim
        self.values = values
        self.subject = subject
        self.reason = reason
    }
}

/// Reads the privileged-path settings (`[identity] privileged`, `[identity] impersonation`,
/// `[audit] internal_routes`). Kept apart from `ConfigurationLoader`'s other keys: they are
/// one feature, checked together (a privilege claim needs a key that verifies it).
enum PrivilegedPathsConfig {
    static let identityKeys: Set<String> = ["privileged", "impersonation"]
    static let auditKeys: Set<String> = ["internal_routes"]

    static func readIdentity(_ t: TOMLTable, into config: inout Configuration, file: String) throws {
        func error(_ key: String, _ message: String) -> ConfigError {
            ConfigError(file: file, key: "identity." + key, message: message)
        }
        if let v = t["impersonation"] {
            var claims: [String]
            if let one = v.string {
                claims = [one]
            } else if let many = v.array, many.allSatisfy({ $0.string != nil }) {
                claims = many.compactMap(\.string)
            } else {
                throw error("impersonation", "must be a claim name or an array of them (\"act\" for RFC 8693, or a claim holding the impersonated tenant)")
            }
            claims = claims.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !claims.contains(where: \.isEmpty) else { throw error("impersonation", "must not contain an empty claim name") }
            config.identity.impersonation = claims
        }
        guard let v = t["privileged"] else {
            if t["impersonation"] != nil {
                throw error("impersonation", "needs identity.privileged (only a privileged token may impersonate)")
            }
            return
        }
        guard let table = v.table else {
            throw error("privileged", "must be a table like {claim = \"role\", values = [\"support\", \"admin\"]}")
        }
        let allowed: Set<String> = ["claim", "values", "subject", "reason"]
        for key in table.keys where !allowed.contains(key) {
            throw error("privileged.\(key)", "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        guard let claim = table["claim"]?.string?.trimmingCharacters(in: .whitespaces), !claim.isEmpty else {
            throw error("privileged.claim", "is required: the claim that grants cross-tenant access, e.g. \"role\"")
        }
        guard let array = table["values"]?.array, !array.isEmpty, array.allSatisfy({ ($0.string ?? "").isEmpty == false }) else {
            throw error("privileged.values", "must be a non-empty array of claim values, e.g. [\"support\", \"admin\"]")
        }
        var claims = PrivilegedClaims(claim: claim, values: array.compactMap(\.string))
        for key in ["subject", "reason"] where table[key] != nil {
            guard let s = table[key]?.string?.trimmingCharacters(in: .whitespaces), !s.isEmpty else {
                throw error("privileged.\(key)", "must be a claim name")
            }
            if key == "subject" { claims.subject = s } else { claims.reason = s }
        }
        // An unverified claim proves nothing: anyone can write `"role": "admin"` into a token.
        guard config.identity.verifiesTokens else {
            throw error("privileged", "needs a key that verifies tokens (identity.jwt_secret, jwt_public_key or jwks): an unverified role claim proves nothing")
        }
        config.identity.privileged = claims
    }

    static func readAudit(_ t: TOMLTable, into config: inout Configuration, file: String) throws {
        guard let v = t["internal_routes"] else { return }
        let key = "audit.internal_routes"
        guard let array = v.array, array.allSatisfy({ $0.string != nil }) else {
            throw ConfigError(file: file, key: key, message: "must be an array of route patterns, e.g. [\"/internal/*\", \"/admin/*\"]")
        }
        var routes: [String] = []
        for s in array.compactMap(\.string) {
            guard s.hasPrefix("/") || s.hasPrefix("*") else {
                throw ConfigError(file: file, key: key, message: "\"\(s)\" is not a route pattern (it must start with / or *)")
            }
            routes.append(s)
        }
        config.audit.internalRoutes = routes
    }
}
