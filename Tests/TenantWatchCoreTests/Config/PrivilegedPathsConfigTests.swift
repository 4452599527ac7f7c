import Testing
@testable import TenantWatchCore

@Suite struct PrivilegedPathsConfigTests {
    static let key = #"jwt_secret = "0123456789abcdef0123456789abcdef""#

    func badKey(_ text: String) -> String? {
        do { _ = try ConfigurationLoader.parse(text, baseDirectory: "/"); return nil } catch let e as ConfigError { return e.key } catch { return "?" }
    }

    @Test func readsPrivilegedImpersonationAndInternalRoutes() throws {
        let c = try ConfigurationLoader.parse("""
            [identity]
            \(Self.key)
            privileged = {claim = "role", values = ["support", "admin"], subject = "email", reason = "ticket"}
            impersonation = "act"

            [audit]
            internal_routes = ["/internal/*", "/admin/*"]
            """, baseDirectory: "/")
        #expect(c.identity.privileged == PrivilegedClaims(claim: "role", values: ["support", "admin"], subject: "email", reason: "ticket"))
        #expect(c.identity.impersonation == ["act"])
        #expect(c.audit.internalRoutes == ["/internal/*", "/admin/*"])
    }

    @Test func defaultsRecogniseBothImpersonationShapes() throws {
        let c = try ConfigurationLoader.parse("[identity]\n\(Self.key)\nprivileged = {claim = \"role\", values = [\"admin\"]}", baseDirectory: "/")
        #expect(c.identity.impersonation == ["act", "impersonated_tenant"])
        #expect(c.identity.privileged?.subject == "sub")
        #expect(c.identity.privileged?.reason == "reason")
        #expect(c.audit.internalRoutes.isEmpty)
    }

    @Test func badValuesNameTheirKey() {
        #expect(badKey("[identity]\nprivileged = {claim = \"role\", values = [\"admin\"]}") == "identity.privileged",
                "a role claim nobody verifies proves nothing")
        #expect(badKey("[identity]\n\(Self.key)\nprivileged = \"role\"") == "identity.privileged")
        #expect(badKey("[identity]\n\(Self.key)\nprivileged = {values = [\"admin\"]}") == "identity.privileged.claim")
        #expect(badKey("[identity]\n\(Self.key)\nprivileged = {claim = \"role\", values = []}") == "identity.privileged.values")
        #expect(badKey("[identity]\n\(Self.key)\nprivileged = {claim = \"role\", values = [1]}") == "identity.privileged.values")
        #expect(badKey("[identity]\n\(Self.key)\nprivileged = {claim = \"role\", values = [\"a\"], role = \"x\"}") == "identity.privileged.role")
        #expect(badKey("[identity]\n\(Self.key)\nprivileged = {claim = \"role\", values = [\"a\"]}\nimpersonation = 3") == "identity.impersonation")
        #expect(badKey("[identity]\n\(Self.key)\nimpersonation = \"act\"") == "identity.impersonation")
        #expect(badKey("[audit]\ninternal_routes = \"/internal/*\"") == "audit.internal_routes")
        #expect(badKey("[audit]\ninternal_routes = [\"internal/*\"]") == "audit.internal_routes")
        #expect(badKey("[audit]\ninternal_route = [\"/internal/*\"]") == "audit.internal_route")
    }
}
