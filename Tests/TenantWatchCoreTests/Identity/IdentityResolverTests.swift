import Foundation
import JWTKit
import Testing
@testable import TenantWatchCore

/// Builds real JWTs: header and claims as JSON text, signed with a jwt-kit algorithm.
enum TestJWT {
    static func b64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func make(header: String, claims: String, signer: (any JWTAlgorithm)?) throws -> String {
        let input = b64url(Array(header.utf8)) + "." + b64url(Array(claims.utf8))
        guard let signer else { return input + "." }
        return input + "." + b64url(try signer.sign(Array(input.utf8)))
    }

    static func hmac(_ secret: String) async throws -> any JWTAlgorithm {
        let c = JWTKeyCollection()
        await c.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await c.getKey()
    }

    static func ecdsa(_ key: ES256PrivateKey) async throws -> any JWTAlgorithm {
        let c = JWTKeyCollection()
        await c.add(ecdsa: key)
        return try await c.getKey()
    }

    static func tempFile(_ text: String, ext: String) throws -> String {
        let path = NSTemporaryDirectory() + "tw-identity-\(UUID().uuidString).\(ext)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite struct IdentityResolverTests {
    static let secret = "test-secret-that-is-32-bytes-long!!"
    /// 2026-11-22T12:00:00Z
    static let logTime = Timestamp.from(year: 2026, month: 11, day: 22, hour: 12, minute: 0, second: 0,
                                        microsecond: 0, utcOffsetSeconds: 0)
    static var logSeconds: Int { Int(logTime.microseconds / 1_000_000) }

    func identity(secret: String? = IdentityResolverTests.secret, claim: String = "tenant_id") -> Configuration.Identity {
        var i = Configuration.Identity()
        i.claim = claim
        i.jwtSecret = secret
        i.host = "{tenant}.example.com"
        return i
    }

    func resolver(secret: String? = IdentityResolverTests.secret, claim: String = "tenant_id") async throws -> IdentityResolver {
        let id = identity(secret: secret, claim: claim)
        return IdentityResolver(identity: id, keys: try await JWTKeySet.load(id))
    }

    func hs256(_ claims: String, secret: String = IdentityResolverTests.secret) async throws -> String {
        try TestJWT.make(header: #"{"alg":"HS256","typ":"JWT"}"#, claims: claims, signer: try await TestJWT.hmac(secret))
    }

    @Test func verifiedHS256() async throws {
        var r = try await resolver()
        let token = try await hs256(#"{"sub":"u1","tenant_id":"acme","sid":"s-1","exp":\#(Self.logSeconds + 60)}"#)
        let c = r.resolve(token: "Bearer " + token, at: Self.logTime)
        #expect(c.verification == .verified)
        #expect(c.tenant == "acme")
        #expect(c.claimedTenant == "acme")
        #expect(c.source == .token)
        #expect(c.algorithm == "HS256")
        #expect(c.subject == "u1")
        #expect(c.sessionID == "s-1")
        #expect(c.reason == nil)
        #expect(c.maskedToken == String(token.prefix(6)) + "…" + String(token.suffix(4)))
    }

    @Test func unverifiedWithoutKeyStillReadsClaims() async throws {
        var r = IdentityResolver(identity: identity(secret: nil))
        let token = try await hs256(#"{"tenant_id":"acme","jti":"j-7","exp":1}"#)
        let c = r.resolve(token: token, at: Self.logTime)
        #expect(c.verification == .unverified)
        #expect(c.tenant == "acme")
        #expect(c.sessionID == "j-7")
    }

    @Test func badSignatureIsInvalidAndUntrusted() async throws {
        var r = try await resolver()
        let token = try await hs256(#"{"tenant_id":"acme"}"#, secret: "another-secret-also-32-bytes-long!!")
        let c = r.resolve(token: token, at: Self.logTime)
        #expect(c.verification == .invalid)
        #expect(c.reason == "bad signature")
        #expect(c.tenant == nil)
        #expect(c.claimedTenant == "acme")
        #expect(r.invalidTokens == 1)
    }

    @Test func tamperedPayloadIsBadSignature() async throws {
        var r = try await resolver()
        let token = try await hs256(#"{"tenant_id":"acme"}"#)
        let parts = token.split(separator: ".")
        let forged = parts[0] + "." + TestJWT.b64url(Array(#"{"tenant_id":"globex"}"#.utf8)) + "." + parts[2]
        let c = r.resolve(token: String(forged), at: Self.logTime)
        #expect(c.verification == .invalid)
        #expect(c.reason == "bad signature")
        #expect(c.claimedTenant == "globex")
        #expect(c.tenant == nil)
    }

    @Test func expiryIsJudgedAgainstTheLogTimeNotTheWallClock() async throws {
        var r = try await resolver()
        // Expired long ago by the wall clock, valid when the request was logged.
        let old = Timestamp.from(year: 2019, month: 5, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0, utcOffsetSeconds: 0)
        let oldSeconds = Int(old.microseconds / 1_000_000)
        let token = try await hs256(#"{"tenant_id":"acme","exp":\#(oldSeconds + 30)}"#)
        #expect(r.resolve(token: token, at: old).verification == .verified)
        let later = Timestamp(microseconds: old.microseconds + 31_000_000)
        let c = r.resolve(token: token, at: later)
        #expect(c.verification == .invalid)
        #expect(c.reason == "expired")
        #expect(c.tenant == nil)
        #expect(c.claimedTenant == "acme")
        // Decoded and checked once: the second request hit the cache.
        #expect(r.decodedTokens == 1)
    }

    @Test func leewayAndNotBefore() async throws {
        var id = identity()
        id.leewaySeconds = 60
        var r = IdentityResolver(identity: id, keys: try await JWTKeySet.load(id))
        let t = Self.logSeconds
        let expired30sAgo = try await hs256(#"{"tenant_id":"acme","exp":\#(t - 30)}"#)
        #expect(r.resolve(token: expired30sAgo, at: Self.logTime).verification == .verified)
        let expired90sAgo = try await hs256(#"{"tenant_id":"acme","exp":\#(t - 90)}"#)
        #expect(r.resolve(token: expired90sAgo, at: Self.logTime).reason == "expired")
        let future = try await hs256(#"{"tenant_id":"acme","nbf":\#(t + 600)}"#)
        #expect(r.resolve(token: future, at: Self.logTime).reason == "not yet valid")
    }

    @Test(arguments: [true, false])
    func algNoneIsNeverTrusted(withKey: Bool) async throws {
        var r = withKey ? try await resolver() : IdentityResolver(identity: identity(secret: nil))
        for header in [#"{"alg":"none","typ":"JWT"}"#, #"{"alg":"NONE"}"#] {
            let token = try TestJWT.make(header: header, claims: #"{"tenant_id":"acme","sub":"eve"}"#, signer: nil)
            let c = r.resolve(token: "Bearer " + token, at: Self.logTime)
            #expect(c.verification == .invalid)
            #expect(c.reason == "alg none")
            #expect(c.tenant == nil)
            #expect(c.claimedTenant == "acme")
            #expect(c.subject == "eve")
        }
    }

    @Test func malformedTokensAreCountedNeverFatal() async throws {
        var r = try await resolver()
        let good = try await hs256(#"{"tenant_id":"acme"}"#)
        let parts = good.split(separator: ".").map(String.init)
        let cases: [(String, String)] = [
            (parts[0] + "." + parts[1], "parts"),
            ("a.b.c.d", "parts"),
            ("%%%." + parts[1] + "." + parts[2], "base64"),
            (parts[0] + ".@@@@." + parts[2], "base64"),
            (parts[0] + ".A." + parts[2], "base64"),  // one base64 character cannot hold a byte
            (TestJWT.b64url(Array("not json".utf8)) + "." + parts[1] + "." + parts[2], "JSON"),
            (parts[0] + "." + TestJWT.b64url(Array("[1,2]".utf8)) + "." + parts[2], "JSON"),
            (String(repeating: "A", count: 1 << 20), "too long"),
            (parts[0] + "." + String(repeating: "x", count: 1 << 20) + "." + parts[2], "too long"),
            ("Basic dXNlcjpwYXNz", "parts"),
        ]
        for (k, (token, expected)) in cases.enumerated() {
            let c = r.resolve(token: token, at: Self.logTime)
            #expect(c.verification == .invalid, "case \(k)")
            #expect(c.tenant == nil, "case \(k)")
            #expect(c.reason?.hasPrefix("malformed token") == true, "case \(k)")
            #expect(c.reason?.contains(expected) == true, "case \(k): \(c.reason ?? "nil")")
            #expect((c.maskedToken?.count ?? 0) <= 11)
        }
        #expect(r.malformedTokens == cases.count)
        // Counted per occurrence, even when cached.
        _ = r.resolve(token: cases[0].0, at: nil)
        #expect(r.malformedTokens == cases.count + 1)
    }

    @Test func bearerPrefixIsOptionalAndCaseInsensitive() async throws {
        var r = try await resolver()
        let token = try await hs256(#"{"tenant_id":"acme"}"#)
        for raw in [token, "Bearer " + token, "bearer " + token, "  BEARER   " + token + " "] {
            let c = r.resolve(token: raw, at: Self.logTime)
            #expect(c.verification == .verified, "\(raw.prefix(12))")
            #expect(c.tenant == "acme")
        }
        #expect(r.resolve(token: "Bearer ", at: nil).verification == .absent)
    }

    /// The ASCII byte path and the general (Character) path of `stripBearer` cut alike.
    @Test func stripBearerCutsTheSameOnEitherPath() {
        let cases: [(String, String)] = [
            ("", ""), ("   ", ""), ("Bearer", ""), ("bearer ", ""), ("\tBEARER\t \t", ""),
            ("Bearer abc.def.ghi", "abc.def.ghi"), ("  BeArEr \t abc  \t", "abc"),
            ("Bearerabc", "Bearerabc"), ("Bear", "Bear"), ("xBearer abc", "xBearer abc"),
            ("Bearer\tabc", "abc"), ("abc.def.ghi ", "abc.def.ghi"), ("Bearer  a b", "a b"),
            // Not ASCII: the general path, with the same rules.
            ("Bearer é.f.g", "é.f.g"), ("  token\u{00A0}", "token\u{00A0}"), ("BEARER\u{2003}x", "BEARER\u{2003}x"),
        ]
        for (raw, expected) in cases {
            #expect(String(JWTToken.stripBearer(raw)) == expected, "\(raw.debugDescription)")
        }
    }

    @Test func nestedAndNumericClaims() async throws {
        var nested = try await resolver(claim: "org.tenant")
        let token = try await hs256(#"{"org":{"tenant":"initech","name":"Initech"},"tenant_id":"wrong"}"#)
        #expect(nested.resolve(token: token, at: Self.logTime).tenant == "initech")

        var numeric = try await resolver()
        let n = try await hs256(#"{"tenant_id":4711}"#)
        #expect(numeric.resolve(token: n, at: Self.logTime).tenant == "4711")
        let big = try await hs256(#"{"tenant_id":123456789012345678901234567890}"#)
        #expect(numeric.resolve(token: big, at: Self.logTime).tenant == "123456789012345678901234567890")
        let missing = try await hs256(#"{"sub":"x"}"#)
        let c = numeric.resolve(token: missing, at: Self.logTime)
        #expect(c.verification == .verified)
        #expect(c.tenant == nil)
    }

    /// Made with Python's stdlib (hmac, hashlib, base64, json), see the test file's history.
    static let pythonToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTciLCJ0ZW5hbnRfaWQiOiJnbG9iZXgiLCJzaWQiOiJzZXNzLTkiLCJpYXQiOjE3OTUzNTMwMDAsImV4cCI6MTc5NTM1NjYwMH0.SNobz4dUqOQJjYQl0uAlzcHRALwn2oaIJhy3prDaabQ"

    @Test func pythonFixtureToken() async throws {
        var r = try await resolver(secret: "python-fixture-secret-0123456789abcdef")
        let inside = Timestamp(microseconds: 1_795_353_237_358_614)
        let c = r.resolve(token: "Bearer " + Self.pythonToken, at: inside)
        #expect(c.verification == .verified)
        #expect(c.tenant == "globex")
        #expect(c.subject == "user-7")
        #expect(c.sessionID == "sess-9")
        let after = Timestamp(microseconds: 1_795_356_600_000_000)
        #expect(r.resolve(token: Self.pythonToken, at: after).reason == "expired")
        var wrongKey = try await resolver()
        #expect(wrongKey.resolve(token: Self.pythonToken, at: inside).reason == "bad signature")
    }

    @Test func es256FromPEMAndAlgorithmConfusion() async throws {
        let key = ES256PrivateKey()
        let pemPath = try TestJWT.tempFile(key.publicKey.pemRepresentation, ext: "pem")
        defer { try? FileManager.default.removeItem(atPath: pemPath) }
        var id = Configuration.Identity()
        id.jwtPublicKey = pemPath
        let keys = try await JWTKeySet.load(id)
        #expect(keys.algorithmNames == ["ES256"])
        var r = IdentityResolver(identity: id, keys: keys)

        let good = try TestJWT.make(header: #"{"alg":"ES256"}"#, claims: #"{"tenant_id":"acme"}"#, signer: try await TestJWT.ecdsa(key))
        let c = r.resolve(token: good, at: Self.logTime)
        #expect(c.verification == .verified)
        #expect(c.tenant == "acme")

        let other = try TestJWT.make(header: #"{"alg":"ES256"}"#, claims: #"{"tenant_id":"acme"}"#,
                                     signer: try await TestJWT.ecdsa(ES256PrivateKey()))
        #expect(r.resolve(token: other, at: Self.logTime).reason == "bad signature")

        // HS256 "signed" with the public key's PEM text: the classic confusion attack.
        let confused = try TestJWT.make(header: #"{"alg":"HS256"}"#, claims: #"{"tenant_id":"acme"}"#,
                                        signer: try await TestJWT.hmac(key.publicKey.pemRepresentation))
        let cc = r.resolve(token: confused, at: Self.logTime)
        #expect(cc.verification == .invalid)
        #expect(cc.reason == "alg HS256 not accepted")
    }

    @Test func jwksByKeyID() async throws {
        let key = ES256PrivateKey()
        guard let p = key.publicKey.parameters else { Issue.record("no parameters"); return }
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","x":"\#(p.x)","y":"\#(p.y)"}]}"#
        let path = try TestJWT.tempFile(jwks, ext: "json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var id = Configuration.Identity()
        id.jwks = path
        let keys = try await JWTKeySet.load(id)
        #expect(keys.keyIDs == ["k1"])
        var r = IdentityResolver(identity: id, keys: keys)
        let signer = try await TestJWT.ecdsa(key)
        let good = try TestJWT.make(header: #"{"alg":"ES256","kid":"k1"}"#, claims: #"{"tenant_id":"acme"}"#, signer: signer)
        #expect(r.resolve(token: good, at: Self.logTime).verification == .verified)
        let unknown = try TestJWT.make(header: #"{"alg":"ES256","kid":"k2"}"#, claims: #"{"tenant_id":"acme"}"#, signer: signer)
        #expect(r.resolve(token: unknown, at: Self.logTime).reason == "unknown kid")
    }

    @Test func unreadableKeysAreConfigErrors() async throws {
        var id = Configuration.Identity()
        id.jwtPublicKey = "/nonexistent/key.pem"
        await #expect(throws: ConfigError.self) { try await JWTKeySet.load(id) }
        let garbage = try TestJWT.tempFile("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", ext: "pem")
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        id.jwtPublicKey = garbage
        await #expect(throws: ConfigError.self) { try await JWTKeySet.load(id) }
    }

    @Test func loadSynchronouslyFromAPlainThread() async throws {
        let id = identity()
        let names: [String]? = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: (try? JWTKeySet.loadSynchronously(id))?.algorithmNames)
            }.start()
        }
        #expect(names == ["HS256"])
        #expect(try JWTKeySet.loadSynchronously(Configuration.Identity()).isEmpty)
    }

    @Test func maskHidesTheMiddle() {
        #expect(JWTToken.mask("Bearer eyJhbGciOiJIUzI1NiJ9.e30.abcdWXYZ") == "eyJhbG…WXYZ")
        #expect(JWTToken.mask("short") == "…")
    }

    @Test func hostPattern() throws {
        let p = try #require(HostPattern("{tenant}.example.com"))
        #expect(p.tenant(forHost: "acme.example.com") == "acme")
        #expect(p.tenant(forHost: "ACME.Example.COM:8443") == "acme")
        #expect(p.tenant(forHost: "acme.example.com.") == "acme")
        #expect(p.tenant(forHost: "www.example.com") == nil)
        #expect(p.tenant(forHost: "example.com") == nil)
        #expect(p.tenant(forHost: ".example.com") == nil)
        #expect(p.tenant(forHost: "a.b.example.com") == nil)
        #expect(p.tenant(forHost: "acme.example.org") == nil)
        #expect(p.tenant(forHost: "acmeexample.com") == nil)
        #expect(HostPattern.normalize(host: "[::1]:8080") == "::1")
        #expect(HostPattern.normalize(host: "") == nil)
        let q = try #require(HostPattern("app-{tenant}.eu.example.com"))
        #expect(q.tenant(forHost: "app-globex.eu.example.com") == "globex")
        #expect(HostPattern("example.com") == nil)
    }

    /// ASCII hosts are matched as bytes, anything else by Characters: both give the same answers.
    @Test func hostPatternBeyondASCII() throws {
        let p = try #require(HostPattern("{tenant}.example.com"))
        #expect(p.tenant(forHost: "müller.example.com") == "müller")
        #expect(p.tenant(forHost: "MÜLLER.example.com") == "müller")
        #expect(p.tenant(forHost: "a.ü.example.com") == nil)
        #expect(p.tenant(forHost: "ü.example.org") == nil)
        #expect(p.tenant(forNormalizedHost: "acme.example.com") == "acme")
        #expect(p.tenant(forNormalizedHost: "www.example.com") == nil)
        #expect(p.tenant(forNormalizedHost: "acme\r\n.example.com") == "acme\r\n")
        let q = try #require(HostPattern("{tenant}.exämple.com"))
        #expect(q.tenant(forHost: "acme.exämple.com") == "acme")
        #expect(q.tenant(forHost: "acme.example.com") == nil)
        // ASCII hosts take the byte path, the others the Character path: the same rules.
        #expect(HostPattern.normalize(host: "  Acme.Example.COM:8443 ") == "acme.example.com")
        #expect(HostPattern.normalize(host: "\tacme.example.com..") == "acme.example.com")
        #expect(HostPattern.normalize(host: "[FE80::1]:443") == "fe80::1")
        #expect(HostPattern.normalize(host: "[::1") == "[::1")
        #expect(HostPattern.normalize(host: "a:b:c") == "a:b:c")
        #expect(HostPattern.normalize(host: ":80") == nil)
        #expect(HostPattern.normalize(host: "[]") == nil)
        #expect(HostPattern.normalize(host: " . ") == nil)
        #expect(HostPattern.normalize(host: "ÄCME.example.com:1") == "äcme.example.com")
        #expect(HostPattern.normalize(host: "  ÄCME.example.com.. ") == "äcme.example.com")
        #expect(HostPattern.normalize(host: "[FE80::É]:443") == "fe80::é")
        #expect(HostPattern.normalize(host: "é:b:c") == "é:b:c")
        let open = try #require(HostPattern("{tenant}", reserved: []))
        #expect(open.tenant(forHost: "acme") == "acme")
        #expect(open.tenant(forHost: "www") == "www")
        #expect(open.tenant(forHost: "acme.com") == nil)
    }
}
