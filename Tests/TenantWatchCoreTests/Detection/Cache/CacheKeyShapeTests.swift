import Testing
@testable import TenantWatchCore

@Suite struct CacheKeyShapeTests {
    let tenants: Set<String> = ["acme", "globex", "acme-corp", "42", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"]

    func shape(_ key: String) -> String { CacheKeyShape.pattern(of: key, knownTenants: tenants).pattern }
    func tenantsOf(_ key: String) -> [String] { CacheKeyShape.pattern(of: key, knownTenants: tenants).tenantSegments }

    @Test func numbersUUIDsHexAndTokens() {
        #expect(shape("invoice:1041") == "invoice:{id}")
        #expect(shape("project:1041") == "project:{id}")
        #expect(shape("user:7:orders:19") == "user:{id}:orders:{id}")
        #expect(shape("doc:9b2f1c6e-1a2b-4c3d-8e9f-001122334455") == "doc:{uuid}")
        #expect(shape("doc:9B2F1C6E-1A2B-4C3D-8E9F-001122334455:v2") == "doc:{uuid}:v2")
        #expect(shape("blob:da39a3ee5e6b4b0d3255bfef95601890afd80709") == "blob:{hex}")
        #expect(shape("etag:deadbeef") == "etag:deadbeef")   // short hex stays literal
        #expect(shape("session:Zx8a9QpL2mNb7TyUv4Kc") == "session:{token}")
        #expect(shape("views/projects/1041-20231010") == "views/projects/{id}-{id}")
        #expect(shape("report|2026|11") == "report|{id}|{id}")
        #expect(shape("cache.v2:page=3") == "cache.v2:page={id}")
        #expect(shape("feature-flags") == "feature-flags")
        #expect(shape("") == "")
        #expect(shape("a::b:") == "a::b:")
        #expect(tenantsOf("invoice:1041").isEmpty)
    }

    @Test func knownTenantsInAnySegment() {
        #expect(shape("acme:project:1041") == "{tenant}:project:{id}")
        #expect(tenantsOf("acme:project:1041") == ["acme"])
        #expect(shape("project:1041:globex") == "project:{id}:{tenant}")
        #expect(shape("tenant-acme:invoice:7") == "tenant-{tenant}:invoice:{id}")
        #expect(shape("acme_invoices:7") == "{tenant}_invoices:{id}")
        #expect(shape("host:acme.example.com:home") == "host:{tenant}.example.com:home")
        #expect(shape("acme-corp:project:1") == "{tenant}:project:{id}")
        #expect(tenantsOf("acme-corp:project:1") == ["acme-corp"])
        #expect(shape("ACME:project:1") == "{tenant}:project:{id}")
        #expect(shape("org:3f2504e0-4f89-11d3-9a0c-0305e82c3301:x") == "org:{tenant}:x")
        #expect(shape("x:3f2504e0-4f89-11d3-9a0c-0305e82c3301") == "x:{tenant}")
        // Whole words only: "acmeish" is not acme.
        #expect(shape("acmeish:1") == "acmeish:{id}")
        #expect(tenantsOf("acmeish:1").isEmpty)
    }

    @Test func numericTenantsOnlyFirstOrAfterAMarker() {
        #expect(shape("42:project:7") == "{tenant}:project:{id}")
        #expect(shape("user:42") == "user:{id}")
        #expect(tenantsOf("user:42").isEmpty)
    }

    @Test func tenantMarkers() {
        // The next segment is the tenant, known or not.
        #expect(shape("tenant:1:user:42") == "tenant:{tenant}:user:{id}")
        #expect(tenantsOf("tenant:1:user:42") == ["1"])
        #expect(shape("Tenant_ID:zz:cart") == "Tenant_ID:{tenant}:cart")
        #expect(shape("org:77:report") == "org:{tenant}:report")
        #expect(shape("workspace/9/doc/3") == "workspace/{tenant}/doc/{id}")
        // `marker=value` inside a segment.
        #expect(shape("t=acme|session|5f2b") == "t={tenant}|session|5f2b")
        #expect(shape("cache:tenant_id=913:invoice") == "cache:tenant_id={tenant}:invoice")
        #expect(tenantsOf("cache:tenant_id=913:invoice") == ["913"])
        // Not markers.
        #expect(shape("tenant_settings:1") == "tenant_settings:{id}")
        #expect(shape("page=3") == "page={id}")
        #expect(shape("tenant") == "tenant")
        #expect(tenantsOf("tenant:").isEmpty)
    }

    @Test func escapedBinaryKeysShapeOnTheirText() {
        let key = CacheKeyText.display(Array("acme:avatar:".utf8) + [0xFF, 0xD8])
        #expect(shape(key) == "{tenant}:avatar:\\xff\\xd8")
        #expect(shape("tenant:3:ключ") == "tenant:{tenant}:ключ")
    }
}

@Suite struct KeyGlobTests {
    @Test func redisGlobSemantics() {
        #expect(KeyGlob("plans:*").matches("plans:pro"))
        #expect(KeyGlob("plans:*").matches("plans:pro:eu"))
        #expect(KeyGlob("plans:*").matches("plans:"))
        #expect(!KeyGlob("plans:*").matches("plan:pro"))
        #expect(!KeyGlob("plans:*").matches("acme:plans:pro"))
        #expect(KeyGlob("feature-flags").matches("feature-flags"))
        #expect(!KeyGlob("feature-flags").matches("feature-flags:x"))
        #expect(KeyGlob("*:public").matches("docs:7:public"))
        #expect(!KeyGlob("*:public").matches("docs:7:public:x"))
        #expect(KeyGlob("*").matches(""))
        #expect(KeyGlob("a*b*c").matches("axxbyyc"))
        #expect(!KeyGlob("a*b*c").matches("axxbyy"))
        #expect(KeyGlob("h?llo").matches("hallo") && !KeyGlob("h?llo").matches("hllo"))
        #expect(KeyGlob("h[ae]llo").matches("hello") && !KeyGlob("h[ae]llo").matches("hillo"))
        #expect(KeyGlob("h[^e]llo").matches("hallo") && !KeyGlob("h[^e]llo").matches("hello"))
        #expect(KeyGlob("h[!e]llo").matches("hallo"))
        #expect(KeyGlob("v[0-9]:x").matches("v7:x") && !KeyGlob("v[0-9]:x").matches("vx:x"))
        #expect(KeyGlob("a\\*b").matches("a*b") && !KeyGlob("a\\*b").matches("axb"))
        #expect(KeyGlob("a[b").matches("a[b"))
        #expect(KeyGlob("project:{id}").matches("project:{id}"))
        #expect(KeyGlob("bin:*").matches(bytes: Array("bin:".utf8) + [0xFF, 0x00]))
        #expect(KeyGlob("bin:?").matches(bytes: Array("bin:".utf8) + [0xFF]))
    }
}
