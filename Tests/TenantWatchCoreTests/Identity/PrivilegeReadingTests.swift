import Foundation
import JWTKit
import Testing
@testable import TenantWatchCore

/// The privileged decision rests only on a verified token's claims; forged, unsigned, expired or
/// unreadable claims grant nothing (these are the attacks).
@Suite struct PrivilegeReadingTests {
    static let secret = IdentityResolverTests.secret
    static let exp = IdentityResolverTests.logSeconds + 600

    func identity(secret: String? = PrivilegeReadingTests.secret) -> Configuration.Identity {
        var i = Configuration.Identity()
        i.jwtSecret = secret
        i.privileged = PrivilegedClaims(claim: "role", values: ["support", "admin"])
        return i
    }

    func resolve(_ claims: String, signedWith secret: String = PrivilegeReadingTests.secret,
                 identity id: Configuration.Identity? = nil, alg: String = "HS256") async throws -> CallerIdentity {
        let id = id ?? identity()
        var r = IdentityResolver(identity: id, keys: try await JWTKeySet.load(id))
        let token = try TestJWT.make(header: #"{"alg":"\#(alg)","typ":"JWT"}"#, claims: claims,
                                     signer: alg == "none" ? nil : try await TestJWT.hmac(secret))
        return r.resolve(token: "Bearer " + token, at: IdentityResolverTests.logTime)
    }

    @Test func verifiedAdminIsPrivilegedWithStaffAndReason() async throws {
        let c = try await resolve(#"{"sub":"alice@corp","tenant_id":"internal","role":"admin","reason":"ticket 4711","exp":\#(Self.exp)}"#)
        #expect(c.verification == .verified)
        let p = try #require(c.privilege)
        #expect(p.role == "admin")
        #expect(p.staff == "alice@corp")
        #expect(p.reason == "ticket 4711")
        #expect(p.impersonatedTenant == nil)
        #expect(p.homeTenant == "internal")
        #expect(c.tenant == "internal")
    }

    @Test func roleArraysGrantWhenOneValueDoes() async throws {
        let c = try await resolve(#"{"sub":"bob","role":["viewer","support"],"exp":\#(Self.exp)}"#)
        #expect(c.privilege?.role == "support")
        let plain = try await resolve(#"{"sub":"carol","tenant_id":"acme","role":["viewer"],"exp":\#(Self.exp)}"#)
        #expect(plain.privilege == nil)
        #expect(plain.tenant == "acme")
    }

    @Test func impersonationClaimMakesTheImpersonatedTenantTheCaller() async throws {
        let c = try await resolve(#"{"sub":"sam@corp","tenant_id":"internal","role":"support","impersonated_tenant":"acme","exp":\#(Self.exp)}"#)
        #expect(c.privilege?.impersonatedTenant == "acme")
        #expect(c.privilege?.homeTenant == "internal")
        #expect(c.tenant == "acme", "every leak rule judges the session as acme's")
        #expect(c.claimedTenant == "internal")
    }

    @Test func rfc8693ActorNamesTheStaffAndTheTokenTenantIsImpersonated() async throws {
        let c = try await resolve(#"{"sub":"user-7","tenant_id":"globex","role":"support","act":{"sub":"sam@corp"},"exp":\#(Self.exp)}"#)
        #expect(c.privilege?.staff == "sam@corp")
        #expect(c.privilege?.impersonatedTenant == "globex")
        #expect(c.tenant == "globex")
    }

    @Test func impersonationClaimsCanBeTurnedOffOrRenamed() async throws {
        var id = identity()
        id.impersonation = ["acting_for"]
        let c = try await resolve(#"{"sub":"s","role":"support","acting_for":"initech","impersonated_tenant":"acme","exp":\#(Self.exp)}"#, identity: id)
        #expect(c.privilege?.impersonatedTenant == "initech")
    }

    @Test func unreadableImpersonationIsNoPrivilegeRatherThanAWiderOne() async throws {
        // Two impersonation claims naming different tenants, an array, a duplicate, an `act` that is
        // not an object or has no tenant: never read as "not impersonating" (that would widen it).
        for claims in [
            #"{"tenant_id":"internal","role":"support","impersonated_tenant":"acme","act":{"sub":"x"},"exp":\#(Self.exp)}"#,
            #"{"role":"support","impersonated_tenant":["acme","globex"],"exp":\#(Self.exp)}"#,
            #"{"role":"support","impersonated_tenant":"acme","impersonated_tenant":"globex","exp":\#(Self.exp)}"#,
            #"{"tenant_id":"acme","role":"support","act":"sam","exp":\#(Self.exp)}"#,
            #"{"role":"support","act":{"sub":"sam"},"exp":\#(Self.exp)}"#,
        ] {
            let c = try await resolve(claims)
            #expect(c.privilege == nil, "\(claims)")
        }
    }

    @Test func roleClaimsAreMatchedExactly() async throws {
        for claims in [
            #"{"role":"Admin","exp":\#(Self.exp)}"#,
            #"{"ROLE":"admin","exp":\#(Self.exp)}"#,
            #"{"role":"admin","role":"viewer","exp":\#(Self.exp)}"#,
            #"{"role":{"name":"admin"},"exp":\#(Self.exp)}"#,
            #"{"role":["admin",1],"exp":\#(Self.exp)}"#,
        ] {
            #expect(try await resolve(claims).privilege == nil, "\(claims)")
        }
    }

    // MARK: attacks: a forged role=admin never grants anything

    @Test func forgedSignatureAlgNoneExpiredAndUnverifiedGrantNothing() async throws {
        let admin = #"{"sub":"mallory","tenant_id":"acme","role":"admin","exp":\#(Self.exp)}"#
        let forged = try await resolve(admin, signedWith: "an-attackers-own-secret-of-32-bytes!!")
        #expect(forged.verification == .invalid)
        #expect(forged.privilege == nil)
        let unsigned = try await resolve(admin, alg: "none")
        #expect(unsigned.privilege == nil)
        let expired = try await resolve(#"{"sub":"mallory","role":"admin","exp":1}"#)
        #expect(expired.verification == .invalid)
        #expect(expired.privilege == nil)
        // Without a key (which the config refuses with privileged set) claims are only read.
        var noKey = identity(secret: nil)
        noKey.privileged = PrivilegedClaims(claim: "role", values: ["admin"])
        let unverified = try await resolve(admin, identity: noKey)
        #expect(unverified.verification == .unverified)
        #expect(unverified.privilege == nil)
    }
}
