import Foundation
import Testing
@testable import TenantWatchCore

/// The speed work of issue 18 replaced a few hot-path routines (byte searches, a memo, a
/// batched lookup). Each must answer exactly as the routine it replaced: these tests hold the
/// new code to the old behaviour on the cases that tell them apart.
@Suite struct HotPathEquivalenceTests {
    /// The search `mentionsApplicationName` replaced (byte by byte, ASCII letters folded).
    static func naiveMentionsApplicationName(_ s: String) -> Bool {
        let b = Array(s.utf8), needle = Array("application_name".utf8)
        guard b.count >= needle.count else { return false }
        for i in 0...(b.count - needle.count) {
            var k = 0
            while k < needle.count, b[i + k] | ((b[i + k] >= 65 && b[i + k] <= 90) || (b[i + k] >= 97 && b[i + k] <= 122) ? 0x20 : 0) == needle[k] { k += 1 }
            if k == needle.count { return true }
        }
        return false
    }

    @Test(arguments: [
        "SET application_name = 'x'", "set APPLICATION_NAME to default", "RESET Application_Name",
        "application_name", "xapplication_name", "application_namex", "a_b_c_d_e_f application_name",
        "SELECT tenant_id, customer_id FROM orders", "application-name", "applicationname", "applicatio_name",
        "_application_name_", "SELECT set_config('application_name', 'x', false)", "", "_", "application_nam",
        "APPLICATION_NAMe", "applic\u{e9}tion_name", "SELECT 1 /* application_name */",
    ])
    func mentionsApplicationNameAnswersAsTheByteByByteSearch(_ text: String) {
        var t = text
        let got = t.withUTF8 { StderrLogReader.mentionsApplicationName($0) }
        #expect(got == Self.naiveMentionsApplicationName(text))
    }

    /// The scan `severityMarker` replaced: every `:  ` with an upper-case word and a space before.
    static func naiveSeverityMarker(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i + 2 < e {
            if b[i] == 58, b[i + 1] == 32, b[i + 2] == 32 {
                var w = i
                while w > s, b[w - 1] >= 65, b[w - 1] <= 90 { w -= 1 }
                if w < i, w > s, b[w - 1] == 32, PostgresSeverity.classify(b, w, i) != nil { return true }
            }
            i += 1
        }
        return false
    }

    @Test(arguments: [
        "execute <unnamed>: SELECT 1", "statement: SELECT 'x LOG:  y'", "x LOG:  ", "x LOG: ", "x LOG:",
        "LOG:  at the start", "a::date b", "x ERROR:  y", "x NOTAWORD:  y", "::::  ", "x DETAIL:  y LOG:  z",
        "", ":", "  :  ", "x FATAL:  ",
    ])
    func severityMarkerAnswersAsTheByteByByteScan(_ text: String) {
        var t = text
        t.withUTF8 { b in
            for s in [0, min(1, b.count)] {
                #expect(StderrLogReader.severityMarker(b, s, b.count) == Self.naiveSeverityMarker(b, s, b.count))
            }
        }
    }

    @Test func requestIDPrefersRequestUnderscoreIDThenRequestIDThenRequestDashIDEachItsLastValue() {
        func id(_ pairs: [(String, String)]) -> String? { StatementTags(pairs: pairs.map { (key: $0.0, value: $0.1) }).requestID }
        #expect(id([("requestid", "b"), ("request_id", "a"), ("request-id", "c")]) == "a")
        #expect(id([("request-id", "c"), ("requestid", "b1"), ("requestid", "b2")]) == "b2")
        #expect(id([("request-id", "c1"), ("route", "/x"), ("request-id", "c2")]) == "c2")
        #expect(id([("request_id", "a1"), ("request_id", "a2"), ("requestid", "b")]) == "a2")
        #expect(id([("route", "/x"), ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]) == nil)
        #expect(id([]) == nil)
        // Parsed from a comment, as the correlator sees it.
        #expect(SQLCommenter.tags(in: "SELECT 1 /*requestid='r2',request_id='r1'*/").requestID == "r1")
    }

    @Test func hexIsTwoLowerCaseDigitsPerByte() {
        #expect(Digest.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Digest.hex([UInt8]()) == "")
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        #expect(Digest.sha256(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func aTokenQuotedTwiceIsDescribedTheSameAsTheFirstTime() {
        let b64 = { (s: String) in Data(s.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") }
        let token = b64(#"{"alg":"HS256","typ":"JWT"}"#) + "." + b64(#"{"sub":"u-1","tenant_id":"globex-memo"}"#) + ".c2ln"
        let first = StoredSecrets.protect("Authorization: Bearer \(token)")
        let second = StoredSecrets.protect("Authorization: Bearer \(token) again")
        #expect(first == "Authorization: Bearer " + StoredSecrets.describe(jwt: token))
        #expect(second == first + " again")
        #expect(!first.contains(token))
        #expect(first.contains("tenant_id=globex-memo"))
    }

    @Test func incidentIDsForManyFindingsMatchTheOneByOneLookup() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        func finding(_ fp: String, _ caller: String, at seconds: Int64) -> Finding {
            Finding(kind: .crossTenantQuery, severity: .high, time: Timestamp(microseconds: seconds * 1_000_000),
                    message: "leak \(fp)", callerTenant: caller, accessedTenants: ["globex"], tables: ["orders"],
                    application: "api", statement: "SELECT 1", fingerprint: fp,
                    evidence: [SourcePosition(file: "pg.log", line: Int(seconds) + 1)])
        }
        let stored = (0..<30).map { finding("fp\($0 % 10)", "tenant-\($0 % 3)", at: Int64($0)) }
        _ = try store.commit(findings: stored.map { ($0, []) })
        let never = finding("never-stored", "acme", at: 99)
        let asked = stored + [never]
        let batched = try store.incidentIDs(for: asked)
        #expect(batched == (try asked.map { try store.incidentID(for: $0) }))
        #expect(batched.last == .some(nil))
        #expect(batched.dropLast().allSatisfy { $0 != nil })
        #expect(try store.incidentIDs(for: []).isEmpty)
    }
}

/// `StoredSecrets.mayHoldCredential` against the Foundation search it replaced, on ASCII and
/// non-ASCII text (the filter must say yes whenever the old one did).
@Suite struct CredentialFilterEquivalenceTests {
    static func foundationFilter(_ text: String) -> Bool {
        text.contains("eyJ") || text.range(of: "bearer", options: .caseInsensitive) != nil
            || text.range(of: "basic", options: .caseInsensitive) != nil
    }

    @Test(arguments: [
        "Authorization: Bearer abc.def.ghi", "BEARER", "bEaReR", "basic", "BASIC dXNlcjpwYXNz", "Basi", "bearer",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig", "eyj not a token", "EYJ", "ey", "SELECT * FROM invoices", "", "b", "be",
        "bearer\u{e9}", "Ba\u{17f}ic dXNlcjpwYXNz", "caf\u{e9} basic", "caf\u{e9} plain", "x@basic_auth", "[bearer]",
        "{\"authorization\":\"Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln\"}",
    ])
    func answersAsTheFoundationSearch(_ text: String) {
        #expect(StoredSecrets.mayHoldCredential(text) == Self.foundationFilter(text))
    }
}
