import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct AuditLogParserTests {
    /// A token with `tenant_id: acme`, unsigned-by-us but well-formed (no key configured).
    static let acmeToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZW5hbnRfaWQiOiJhY21lIiwic3ViIjoidTEifQ.c2lnbmF0dXJl"

    func config(_ edit: (inout Configuration) -> Void = { _ in }) -> Configuration {
        var c = Configuration()
        c.identity.host = "{tenant}.example.com"
        edit(&c)
        return c
    }

    func parse(_ lines: [String], config: Configuration? = nil) -> (events: [Event], parser: AuditLogParser) {
        var parser = AuditLogParser(file: "audit.log", configuration: config ?? self.config())
        var events: [Event] = []
        for (k, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBufferPointer { parser.feed(line: UnsafeBufferPointer($0), lineNumber: k + 1, into: &events) }
        }
        parser.finish(into: &events)
        return (events, parser)
    }

    func parseBytes(_ lines: [[UInt8]]) -> (events: [Event], parser: AuditLogParser) {
        var parser = AuditLogParser(file: "audit.log", configuration: config())
        var events: [Event] = []
        for (k, line) in lines.enumerated() {
            line.withUnsafeBufferPointer { parser.feed(line: $0, lineNumber: k + 1, into: &events) }
        }
        return (events, parser)
    }

    func requests(_ events: [Event]) -> [AuditRequest] {
        events.compactMap { if case .request(let r) = $0 { return r } else { return nil } }
    }

    func unparsed(_ events: [Event]) -> [UnparsedLine] {
        events.compactMap { if case .unparsed(let u) = $0 { return u } else { return nil } }
    }

    @Test func fullLineWithNestedPaths() throws {
        let line = #"{"ts":"2026-11-22T12:52:10.382Z","request_id":"req_a2f9","traceparent":"00-4E05AAAAAAAAAAAAAAAAAAAAAAAAAAAA-00f067aa0ba902b7-01","route":"GET /invoices","host":"Acme.Example.com:443","headers":{"Authorization":"Bearer \#(Self.acmeToken)","accept":"*/*"},"response":{"tenant_ids":["acme","globex",42]},"status":200}"#
        let (events, parser) = parse([line])
        let r = try #require(requests(events).first)
        #expect(r.position == SourcePosition(file: "audit.log", line: 1))
        #expect(r.time == Timestamp.from(year: 2026, month: 11, day: 22, hour: 12, minute: 52, second: 10, microsecond: 382_000, utcOffsetSeconds: 0))
        #expect(events.first?.time == r.time)
        #expect(events.first?.position.line == 1)
        #expect(r.requestID == "req_a2f9")
        #expect(r.traceID == "4e05aaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        #expect(r.route == "GET /invoices")
        #expect(r.host == "acme.example.com")
        #expect(r.hostTenant == "acme")
        #expect(r.caller.tenant == "acme")
        #expect(r.caller.verification == .unverified)
        #expect(r.caller.source == .token)
        #expect(r.caller.subject == "u1")
        #expect(r.responseTenants == ["acme", "globex", "42"])
        #expect(r.status == 200)
        #expect(parser.requests == 1)
        #expect(parser.unparsedLines == 0)
    }

    @Test func missingFieldsAreNil() throws {
        let (events, _) = parse([#"{"something":"else"}"#, "{}"])
        let rs = requests(events)
        #expect(rs.count == 2)
        for r in rs {
            #expect(r.time == nil)
            #expect(r.requestID == nil)
            #expect(r.traceID == nil)
            #expect(r.host == nil)
            #expect(r.hostTenant == nil)
            #expect(r.caller == CallerIdentity())
            #expect(r.caller.verification == .absent)
            #expect(r.responseTenants == [])
            #expect(r.status == nil)
            #expect(r.refreshToken == nil)
        }
        // A path through a non-object, and JSON null, are missing too.
        let (e2, _) = parse([#"{"headers":"flat","response":{"tenant_ids":null},"host":null}"#])
        let r = try #require(requests(e2).first)
        #expect(r.caller.verification == .absent)
        #expect(r.responseTenants == [])
        #expect(r.host == nil)
    }

    @Test func responseTenantsInEveryShape() {
        let lines = [
            #"{"response":{"tenant_ids":["a","b"]}}"#,
            #"{"response":{"tenant_ids":[1,2.0,"c",null,{"x":1},[3],true,""]}}"#,
            #"{"response":{"tenant_ids":17}}"#,
            #"{"response":{"tenant_ids":"solo"}}"#,
            #"{"response":{"tenant_ids":[]}}"#,
            #"{"response":{"tenant_ids":{"not":"a list"}}}"#,
        ]
        let rs = requests(parse(lines).events)
        #expect(rs.map(\.responseTenants) == [["a", "b"], ["1", "2.0", "c"], ["17"], ["solo"], [], []])
    }

    @Test func timestampsInEveryForm() {
        let base = Timestamp.from(year: 2026, month: 11, day: 22, hour: 12, minute: 52, second: 10, microsecond: 0, utcOffsetSeconds: 0)
        let us = base.microseconds
        let cases: [(String, Int64?)] = [
            (#""2026-11-22T12:52:10.382Z""#, us + 382_000),
            (#""2026-11-22T12:52:10Z""#, us),
            (#""2026-11-22T13:52:10.382+01:00""#, us + 382_000),
            (#""2026-11-22T07:52:10-0500""#, us),
            (#""2026-11-22T14:52:10+02""#, us),
            (#""2026-11-22 12:52:10""#, us),
            (#""2026-11-22 12:52:10.123456789""#, us + 123_456),
            (#""2026-11-22t12:52:10,5z""#, us + 500_000),
            (#""2026-11-22 12:52:10 UTC""#, us),
            (#""2026-11-22T12:52""#, us - 10_000_000),
            ("\(us / 1_000_000)", us),
            ("\(us / 1_000_000).382", us + 382_000),
            ("\(us / 1000 + 382)", us + 382_000),
            (#""\#(us / 1000 + 382)""#, us + 382_000),
            (#""\#(us / 1_000_000)""#, us),
            ("\(us + 7)", us + 7),
            ("\(us)000", us),
            ("1.795351930e9", us),
            (#""yesterday""#, nil),
            (#""2026-13-22T12:52:10Z""#, nil),
            (#""2026-11-22T12:52:10+25:00""#, nil),
            ("true", nil),
        ]
        for (json, expected) in cases {
            let (events, parser) = parse([#"{"ts":\#(json)}"#])
            let r = requests(events).first
            #expect(r != nil, "\(json)")
            #expect(r?.time?.microseconds == expected, "\(json)")
            #expect(parser.unreadableTimes == (expected == nil ? 1 : 0), "\(json)")
        }
    }

    @Test func nonJSONLinesAreCountedWithTheirLineNumbers() {
        let lines = [
            #"{"request_id":"r1"}"#,
            "GET /index.html 200",
            "",
            #"{"request_id":"r2""#,
            #"["an","array"]"#,
            #""just a string""#,
            #"{"request_id":"r3"} trailing"#,
            #"{"request_id":"r4"}"#,
        ]
        let (events, parser) = parse(lines)
        #expect(requests(events).map(\.requestID) == ["r1", "r4"])
        let u = unparsed(events)
        #expect(u.map(\.position.line) == [2, 4, 5, 6, 7])
        #expect(u.allSatisfy { $0.position.file == "audit.log" })
        #expect(u[2].reason == "not a JSON object")
        #expect(u[0].reason.hasPrefix("not JSON"))
        #expect(parser.unparsedLines == 5)
        #expect(events.count == 7)  // the blank line is skipped
    }

    @Test func deeplyNestedJSONIsRejectedWithoutCrashing() {
        let deepObject = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        let deepArray = #"{"x":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let unclosed = String(repeating: "[", count: 100_000)
        let ok = #"{"a":"# + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + #","request_id":"fine"}"#
        let (events, parser) = parse([deepObject, deepArray, unclosed, ok])
        #expect(parser.unparsedLines == 3)
        #expect(unparsed(events).allSatisfy { $0.reason.contains("nested deeper than 512") })
        #expect(requests(events).first?.requestID == "fine")
    }

    @Test func invalidUTF8AndNULBytes() throws {
        let prefix = Array(#"{"request_id":"r"#.utf8)
        let suffix = Array(#"","host":"acme.example.com"}"#.utf8)
        let badUTF8 = prefix + [0xFF, 0xC3, 0x28] + suffix
        let rawNUL = prefix + [0x00] + suffix
        let nulOutside = Array(#"{"request_id":"r1"}"#.utf8) + [0x00]
        let escapedNUL = Array(#"{"request_id":"r\u0000x"}"#.utf8)
        let garbage: [UInt8] = [0xFE, 0xFF, 0x00, 0x01, 0x7B]
        let (events, parser) = parseBytes([badUTF8, rawNUL, nulOutside, escapedNUL, garbage])
        let rs = requests(events)
        #expect(rs.count == 2)
        // Bad bytes inside a string are repaired, the line still counts.
        #expect(rs[0].requestID == "r\u{FFFD}\u{FFFD}(")
        #expect(rs[0].hostTenant == "acme")
        #expect(rs[1].requestID == "r\u{0}x")
        #expect(unparsed(events).map(\.position.line) == [2, 3, 5])
        #expect(unparsed(events)[0].reason.contains("NUL"))
        #expect(parser.unparsedLines == 3)
    }

    /// Numbers past Int64 (or past Double) in the time, the status and the token: no trap, the
    /// value is simply not a time or a status, and the line is still a request.
    @Test func hugeNumbersAreNoTimeAndNoTrap() {
        #expect(AuditTimestamp.parse("9999999999999999999") == nil)
        #expect(AuditTimestamp.parse(.number("99999999999999999999999999")) == nil)
        #expect(AuditTimestamp.parse(.number("-9999999999999999999")) == nil)
        #expect(AuditTimestamp.parse(.number("1e400")) == nil)
        // 19 digits that fit: nanoseconds since the epoch, still read.
        #expect(AuditTimestamp.parse(.number("1795353237358614000"))?.rfc3339 == "2026-11-22T13:13:57.358Z")
        let token = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRfaWQiOiJhY21lIiwiZXhwIjoxZTQwMCwibmJmIjotOTk5OTk5OTk5OTk5OTk5OTk5OTk5fQ.c2ln"
        let (events, parser) = parse([
            #"{"ts":9999999999999999999,"request_id":"a","status":1e400}"#,
            #"{"ts":"99999999999999999999999999999","request_id":"b","status":99999999999999999999}"#,
            #"{"ts":1e300,"request_id":"c","headers":{"authorization":"\#(token)"}}"#,
        ])
        let rs = requests(events)
        #expect(rs.map(\.requestID) == ["a", "b", "c"])
        #expect(rs.allSatisfy { $0.time == nil && $0.status == nil })
        #expect(rs[2].caller.claimedTenant == "acme")
        #expect(parser.unreadableTimes == 3)
        #expect(unparsed(events).isEmpty)
    }

    @Test func callerTenantFieldAndHostTenant() throws {
        let c = config { $0.audit.callerTenant = "auth.tenant"; $0.audit.token = "" }
        let (events, _) = parse([
            #"{"auth":{"tenant":"acme"},"host":"globex.example.com"}"#,
            #"{"auth":{"tenant":7},"host":"www.example.com"}"#,
            #"{"host":"example.com"}"#,
        ], config: c)
        let rs = requests(events)
        #expect(rs[0].caller.tenant == "acme")
        #expect(rs[0].caller.source == .field)
        #expect(rs[0].caller.verification == .absent)
        #expect(rs[0].hostTenant == "globex")
        #expect(rs[1].caller.tenant == "7")
        #expect(rs[1].host == "www.example.com")
        #expect(rs[1].hostTenant == nil)
        #expect(rs[2].hostTenant == nil)
        #expect(rs[2].caller.tenant == nil)
    }

    @Test func algNoneTokenInALine() throws {
        let none = "eyJhbGciOiJub25lIn0.eyJ0ZW5hbnRfaWQiOiJnbG9iZXgifQ."
        let (events, parser) = parse([#"{"headers":{"authorization":"Bearer \#(none)"}}"#,
                                      #"{"headers":{"authorization":"Bearer not-a-jwt"}}"#])
        let rs = requests(events)
        #expect(rs[0].caller.verification == .invalid)
        #expect(rs[0].caller.reason == "alg none")
        #expect(rs[0].caller.tenant == nil)
        #expect(rs[0].caller.claimedTenant == "globex")
        #expect(rs[1].caller.verification == .invalid)
        #expect(parser.malformedTokens == 1)
    }

    @Test func statusTraceAndRefreshTokens() throws {
        let c = config { $0.audit.refreshToken = "auth.refresh"; $0.audit.refreshTokenIssued = "auth.issued"; $0.audit.status = "http.status" }
        let (events, _) = parse([
            #"{"http":{"status":"201"},"traceparent":"4bf92f3577b34da6a3ce929d0e0e4736","auth":{"refresh":"rt-1","issued":"rt-2"}}"#,
            #"{"http":{"status":404},"traceparent":"garbage"}"#,
            #"{"http":{"status":"OK"}}"#,
        ], config: c)
        let rs = requests(events)
        #expect(rs.map(\.status) == [201, 404, nil])
        #expect(rs[0].traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(rs[1].traceID == nil)
        #expect(rs[0].refreshToken == "rt-1")
        #expect(rs[0].issuedRefreshToken == "rt-2")
        #expect(rs[1].refreshToken == nil)
    }
}

@Suite struct JSONParserTests {
    @Test func fullJSON() throws {
        let v = try JSONParser.parse(#" {"a":[1,-2.5e+3,0,true,false,null,{"b":"c"}],"n":123456789012345678901234567890,"e":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#)
        #expect(v["a"] == .array([.number("1"), .number("-2.5e+3"), .number("0"), .bool(true), .bool(false), .null, .object([("b", .string("c"))])]))
        #expect(v["n"] == .number("123456789012345678901234567890"))
        #expect(v["e"] == .string("\"\\/\u{8}\u{C}\n\r\té😀"))
        #expect(v.value(atPath: "a") != nil)
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try JSONParser.parse(#""\ud83d""#) == .string("\u{FFFD}"))
        #expect(try JSONParser.parse(#""\ude00x""#) == .string("\u{FFFD}x"))
        #expect(try JSONParser.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test(arguments: ["", "{", "{\"a\"}", "{\"a\":}", "[1,]", "01", "1.", "-", "1e", "tru", "\"\\x\"", "\"\\u12G4\"",
                      "{\"a\":1,}", "\"abc", "[1 2]", "nul", "{'a':1}", "\"a\tb\""])
    func rejectsInvalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func memberLookupPrefersExactThenCaseInsensitive() throws {
        let v = try JSONParser.parse(#"{"Authorization":"x","authorization":"y","Host":"h","k":1,"k":2}"#)
        #expect(v["authorization"] == .string("y"))
        #expect(v["AUTHORIZATION"] == .string("x"))
        #expect(v["host"] == .string("h"))
        #expect(v["k"] == .number("2"))
        #expect(v.value(atPath: "") == nil)
    }
}
