import Foundation
import Testing
@testable import TenantWatchCore

/// Claim names are matched exactly; what cannot be read without a guess is an ambiguity that
/// makes the token invalid (reported as `unsigned_token`), never a tenant.
@Suite struct ClaimAmbiguityTests {
    let base = IdentityResolverTests()

    func resolve(_ claims: String, at time: Timestamp? = IdentityResolverTests.logTime) async throws -> CallerIdentity {
        var r = try await base.resolver()
        return r.resolve(token: "Bearer " + (try await base.hs256(claims)), at: time)
    }

    @Test func claimNamesAreCaseSensitive() async throws {
        let exp = IdentityResolverTests.logSeconds + 600
        let upper = try await resolve(#"{"TENANT_ID":"globex","exp":\#(exp)}"#)
        #expect(upper.tenant == nil && upper.claimedTenant == nil && upper.verification == .invalid)
        #expect(upper.reason?.contains("TENANT_ID") == true && upper.reason?.hasPrefix("ambiguous") == true)
        let exact = try await resolve(#"{"tenant_id":"acme","exp":\#(exp)}"#)
        #expect(exact.tenant == "acme" && exact.verification == .verified)
    }

    @Test func arraysObjectsAndDuplicatesAreAmbiguous() async throws {
        let exp = IdentityResolverTests.logSeconds + 600
        for (claims, why) in [(#"{"tenant_id":["acme","globex"],"exp":\#(exp)}"#, "array"),
                              (#"{"tenant_id":{"id":"acme"},"exp":\#(exp)}"#, "object"),
                              (#"{"tenant_id":"acme","tenant_id":"globex","exp":\#(exp)}"#, "2 times"),
                              (#"{"tenant_id":"acme","exp":"\#(exp)"}"#, "string")] {
            let id = try await resolve(claims)
            #expect(id.tenant == nil && id.verification == .invalid, "\(claims)")
            #expect(id.reason?.hasPrefix("ambiguous") == true && id.reason?.contains(why) == true, "\(claims): \(id.reason ?? "-")")
        }
    }

    @Test func anExpiredTokenWithoutALogTimeIsAmbiguous() async throws {
        let expired = try await resolve(#"{"tenant_id":"acme","exp":1000000000}"#, at: nil)
        #expect(expired.tenant == nil && expired.reason?.contains("no readable time") == true)
        // One that has not expired even now was valid at any earlier request.
        let fresh = try await resolve(#"{"tenant_id":"acme","exp":\#(Int(Date().timeIntervalSince1970) + 3600)}"#, at: nil)
        #expect(fresh.tenant == "acme")
    }

    @Test func readingPaths() throws {
        let claims = try JSONParser.parse(Array(#"{"org":{"tenant":"acme","Tenant":"x"},"n":7,"b":true}"#.utf8), maximumDepth: 8)
        #expect(ClaimReading.read(claims, path: "org.tenant") == .value("acme"))
        #expect(ClaimReading.read(claims, path: "n") == .value("7"))
        #expect(ClaimReading.read(claims, path: "missing") == .absent)
        if case .ambiguous = ClaimReading.read(claims, path: "b") {} else { Issue.record("a boolean tenant is ambiguous") }
    }
}

/// Tokens reach the store as a hash plus their claims.
@Suite struct StoredSecretsTests {
    @Test func jwtsBecomeHashAndClaims() throws {
        let token = try TestJWT.make(header: #"{"alg":"HS256"}"#, claims: #"{"sub":"u-1","tenant_id":"globex","note":"a\"b] c"}"#, signer: nil) + "c2ln"
        let line = #"{"headers":{"authorization":"Bearer \#(token)"},"x":"Basic dXNlcjpwYXNzd29yZA=="}"#
        let stored = StoredSecrets.protect(line)
        #expect(!stored.contains(token) && !stored.contains("eyJ") && !stored.contains("dXNlcjpwYXNzd29yZA"))
        #expect(stored.contains("[jwt sha256:\(StoredSecrets.hash(token)) alg=HS256 sub=u-1 tenant_id=globex note=a_b__c]"))
        #expect(stored.contains("Basic [sha256:"))
        // Still valid JSON: nothing a claim holds can end the string.
        #expect((try? JSONSerialization.jsonObject(with: Data(stored.utf8))) != nil)
        #expect(StoredSecrets.protect("basic plan") == "basic plan")
    }

    @Test func theStoreKeepsNoTokenAndIsPrivate() throws {
        let dir = TempDir()
        let path = dir.file("state/incidents.sqlite")
        let old = umask(0o022)
        defer { umask(old) }
        let store = try IncidentStore(path: path)
        let token = try TestJWT.make(header: #"{"alg":"HS256"}"#, claims: #"{"tenant_id":"globex"}"#, signer: nil) + "c2lnbmF0dXJl"
        let t = Timestamp(seconds: 1_795_568_048)
        let f = Finding(kind: .crossTenantResponse, severity: .high, time: t, message: "m", requestID: "r-1",
                        callerTenant: "initech", accessedTenants: ["globex"],
                        evidence: [SourcePosition(file: "audit.log", line: 1, endLine: 1)])
        let e = TimelineEntry(kind: .request, time: t, position: SourcePosition(file: "audit.log", line: 1, endLine: 1),
                              summary: "GET /x", raw: #"{"headers":{"authorization":"Bearer \#(token)"}}"#)
        try store.commit(findings: [(f, [e])])
        for p in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: p) {
            let mode = (try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(p): \(String(mode ?? 0, radix: 8))")
        }
        let dirMode = (try FileManager.default.attributesOfItem(atPath: dir.file("state"))[.posixPermissions] as? NSNumber)?.intValue
        #expect(dirMode == 0o700)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data(token.utf8)) == nil && bytes.range(of: Data("eyJ".utf8)) == nil)
        let raw = try #require(try store.incident(try store.incidents()[0].id).timeline.first?.raw)
        #expect(raw.contains("[jwt sha256:\(StoredSecrets.hash(token))") && raw.contains("tenant_id=globex"))
    }
}
