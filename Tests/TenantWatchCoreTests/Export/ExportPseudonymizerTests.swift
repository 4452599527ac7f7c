import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct ExportPseudonymizerTests {
    let p = Pseudonymizer(forTenant: "initech", pseudonyms: ["acme": "tenant-1", "globex": "tenant-2"])

    @Test func assignsStableNumberedPseudonymsInARandomOrder() {
        let first = Pseudonymizer.assign(forTenant: "initech", tenants: ["acme", "globex", "initech"])
        #expect(Set(first.keys) == ["acme", "globex"] && Set(first.values) == ["tenant-1", "tenant-2"])
        // Existing ones are kept; a new tenant gets the next free number.
        let more = Pseudonymizer.assign(forTenant: "initech", tenants: ["acme", "globex", "aaa"], existing: p.pseudonyms)
        #expect(more == ["acme": "tenant-1", "globex": "tenant-2", "aaa": "tenant-3"])
        // The order reveals nothing: over many draws of 8 tenants, each tenant takes tenant-1
        // about as often as any other (alphabetical order would give "a0" tenant-1 every time).
        let tenants = (0..<8).map { "a\($0)" }
        var firsts: [String: Int] = [:]
        for _ in 0..<800 {
            let m = Pseudonymizer.assign(forTenant: "own", tenants: tenants)
            firsts[m.first { $0.value == "tenant-1" }!.key, default: 0] += 1
        }
        #expect(firsts.count == 8)
        #expect(firsts.values.allSatisfy { $0 > 40 && $0 < 180 }, "\(firsts)")
        // A pseudonym never collides with a real tenant id.
        let odd = Pseudonymizer.assign(forTenant: "x", tenants: ["tenant-1", "b"])
        #expect(Set(odd.values).isDisjoint(with: ["tenant-1"]) && odd.count == 2)
    }

    @Test func replacesWholeWordsEverywhere() {
        #expect(p.apply("globex.example.com") == "tenant-2.example.com")
        #expect(p.apply("Globex.Example.COM:8443") == "tenant-2.Example.COM:8443")
        #expect(p.apply("tenant:globex:invoice:7 acme:project:1041") == "tenant:tenant-2:invoice:7 tenant-1:project:1041")
        #expect(p.apply("user-globex-812 tenant_globex") == "user-tenant-2-812 tenant_tenant-2")
        #expect(p.apply("WHERE tenant_id IN ('acme', 'globex')") == "WHERE tenant_id IN ('tenant-1', 'tenant-2')")
        #expect(p.apply("route=%2Fglobex%2Forders") == "route=%2Ftenant-2%2Forders")
        #expect(p.apply(#"{"tenant":"acme"}\nglobex"#) == #"{"tenant":"tenant-1"}\ntenant-2"#)
        // Not inside other words; the own tenant is kept.
        #expect(p.apply("globexx acmeish initech") == "globexx acmeish initech")
        #expect(p.mentionsOther("to globex") && !p.mentionsOther("initech only"))
        #expect(p.mentionsOwn("initech.example.com"))
    }

    /// Tens of thousands of tenants (one hostile response can name them): the same whole-word,
    /// longest-first replacement, one pass over the text.
    @Test func manyTenantsLongestWholeWordFirst() {
        let tenants = (0..<30_000).map { "t\($0)" } + ["t1-eu", "initech"]
        let q = Pseudonymizer(forTenant: "initech", pseudonyms: Pseudonymizer.assign(forTenant: "initech", tenants: tenants))
        let text = (0..<30_000).map { "t\($0)" }.joined(separator: ", ")
        let out = q.apply("T1-EU t1 t29999x initech.example.com " + text)
        #expect(out.hasPrefix("\(q.pseudonyms["t1-eu"]!) \(q.pseudonyms["t1"]!) t29999x initech.example.com \(q.pseudonyms["t0"]!), "))
        #expect(!out.contains("t29999,") && out.hasSuffix(q.pseudonyms["t29999"]!))
        #expect(q.mentionsOther("x t17 y") && !q.mentionsOther("t17x"))
    }

    @Test func ownIdContainingAnotherIsKeptWhole() {
        let q = Pseudonymizer(forTenant: "acme-eu", pseudonyms: ["acme": "tenant-1"])
        #expect(q.apply("acme-eu and acme") == "acme-eu and tenant-1")
        #expect(!q.mentionsOther("acme-eu.example.com"))
    }

    @Test func masksTokens() {
        let m = TokenMasker(extraKeys: ["presented"])
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZW5hbnRfaWQiOiJnbG9iZXgifQ.c2lnbmF0dXJl"
        let line = #"{"headers":{"authorization":"Bearer "# + jwt + #""},"refresh":{"presented":"rt-123"},"x":"token "# + jwt + #""}"#
        let out = m.apply(line)
        #expect(!out.contains("eyJ") && !out.contains("rt-123"))
        #expect(out.contains(#""authorization":"[masked]""#) && out.contains(#""presented":"[masked]""#))
        // Unsigned tokens (empty signature) too; finding kinds are not keys.
        #expect(m.apply("eyJhbGciOiJub25lIn0.eyJ0ZW5hbnRfaWQiOiJhY21lIn0.") == "[JWT masked]")
        #expect(m.apply("token eyJhbG…OH0. claiming tenant acme") == "token [JWT masked] claiming tenant acme")
        #expect(m.apply("unsigned_token: a token without signature") == "unsigned_token: a token without signature")
        #expect(m.apply("password=hunter2&user=x") == "password=[masked]&user=x")
    }
}

@Suite struct ExportTenantDiscoveryTests {
    @Test func findsTenantsTheEvidenceNames() {
        let texts = [
            #"{"host":"umbrella.example.com:8443","response":{"tenant_ids":["initech","hooli"]},"tenant":"wayne"}"#,
            "SELECT * FROM orders o WHERE o.tenant_id IN ('acme', 'stark''s') AND status = 'open'",
            "UPDATE t SET x = 1 WHERE account = 'cyberdyne' /*tenant='oscorp'*/",
            "www.example.com",
        ]
        let found = TenantDiscovery.tenants(in: texts, columns: ["tenant_id", "account"], hostPattern: "{tenant}.example.com")
        #expect(found == ["umbrella", "initech", "hooli", "wayne", "acme", "stark's", "cyberdyne", "oscorp"])
    }
}
