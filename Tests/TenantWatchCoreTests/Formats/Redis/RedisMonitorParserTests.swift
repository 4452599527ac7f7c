import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct RedisMonitorParserTests {
    static func fixture(_ name: String) throws -> [[UInt8]] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        let data = try Data(contentsOf: url)
        var lines = [UInt8](data).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    static func parse(_ lines: [[UInt8]], file: String = "monitor.txt") -> (events: [Event], parser: RedisMonitorParser) {
        var parser = RedisMonitorParser(file: file)
        var events: [Event] = []
        for (k, line) in lines.enumerated() {
            line.withUnsafeBufferPointer { parser.feed(line: $0, lineNumber: k + 1, into: &events) }
        }
        parser.finish(into: &events)
        return (events, parser)
    }

    static func parse(_ lines: [String]) -> (events: [Event], parser: RedisMonitorParser) {
        parse(lines.map { Array($0.utf8) })
    }

    static func commands(_ events: [Event]) -> [CacheCommand] {
        events.compactMap { if case .cacheCommand(let c) = $0 { return c } else { return nil } }
    }

    static func unparsed(_ events: [Event]) -> [UnparsedLine] {
        events.compactMap { if case .unparsed(let u) = $0 { return u } else { return nil } }
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func everyFixtureLineParses() throws {
        let lines = try Self.fixture("redis7_monitor.txt")
        let (events, parser) = Self.parse(lines, file: "redis7_monitor.txt")
        #expect(Self.unparsed(events).isEmpty, "\(Self.unparsed(events).map { "\($0.position): \($0.reason)" })")
        let commands = Self.commands(events)
        #expect(commands.count == lines.count - 1)   // all but the opening OK
        #expect(parser.commands == commands.count)
        #expect(parser.unparsedLines == 0)
        #expect(commands.allSatisfy { $0.position.file == "redis7_monitor.txt" })
        let byLine = Dictionary(uniqueKeysWithValues: commands.map { ($0.position.line, $0) })

        let hello = try #require(byLine[2])
        #expect(hello.time == Timestamp(microseconds: 1_795_353_237_355_410))
        #expect(Event.cacheCommand(hello).time == hello.time)
        #expect(Event.cacheCommand(hello).position.line == 2)
        #expect(hello.client == .tcp(host: "127.0.0.1", port: 51048))
        #expect(hello.database == 0)
        #expect(hello.command == "HELLO")
        #expect(hello.keyIndices.isEmpty && hello.access == .other)

        let setName = try #require(byLine[3])
        #expect(setName.command == "CLIENT" && setName.clientName == "orders-api")
        #expect(setName.keys.isEmpty)

        let set = try #require(byLine[4])
        #expect(set.command == "SET" && set.access == .write)
        #expect(set.keys == [Self.bytes("tenant:1:user:42")])
        #expect(set.arguments[1] == Self.bytes(#"{"name":"Ann","plan":"pro"}"#))
        #expect(set.clientName == "orders-api")   // remembered for the connection

        #expect(byLine[5]?.access == .read)
        #expect(byLine[6]?.command == "SETEX" && byLine[6]?.displayKeys == ["tenant:1:session:abc"])
        #expect(byLine[7]?.access == .delete && byLine[7]?.displayKeys == ["tenant:1:session:abc", "tenant:2:cart:7"])

        // Escapes: \" \\ \x00 \xff \n \t \r, byte-exact.
        let binary = try #require(byLine[8])
        #expect(binary.arguments[0] == Self.bytes("tenant:2:key with space \"quoted\" \\ ") + [0x00, 0xFF, 0x0A, 0x09, 0x0D])
        #expect(binary.arguments[1] == [0x01, 0x02] + Self.bytes(" val's"))
        #expect(binary.displayKeys == [#"tenant:2:key with space "quoted" \\ \x00\xff\x0a\x09\x0d"#])
        #expect(CacheKeyText.bytes(binary.displayKeys[0]) == binary.arguments[0])

        let cyrillic = try #require(byLine[9])
        #expect(cyrillic.arguments[0] == Self.bytes("tenant:3:ключ"))
        #expect(cyrillic.displayKeys == ["tenant:3:ключ"])

        // MULTI ... EXEC: the queued commands appear between them, at EXEC time.
        #expect(byLine[10]?.command == "MULTI" && byLine[13]?.command == "EXEC")
        #expect(byLine[11]?.command == "INCRBY" && byLine[11]?.access == .write)

        #expect(byLine[16]?.command == "HSET" && byLine[16]?.keyIndices == [0])
        let eval = try #require(byLine[17])
        #expect(eval.command == "EVAL" && eval.displayKeys == ["tenant:1:x", "tenant:2:y"] && eval.access == .other)
        #expect(byLine[18]?.client == .lua && byLine[18]?.access == .write)
        #expect(byLine[18]?.clientName == "orders-api")   // the script's caller
        #expect(byLine[50]?.client == .lua && byLine[50]?.clientName == nil)   // FCALL from an unnamed connection

        #expect(byLine[21]?.command == "SELECT" && byLine[21]?.database == 3)
        #expect(byLine[22]?.database == 3 && byLine[22]?.client == .tcp(host: "127.0.0.1", port: 51050))
        #expect(byLine[23]?.arguments == ["3", "AUTH", "(redacted)", "(redacted)"].map(Self.bytes))
        #expect(byLine[26]?.client == .unix(path: "/var/run/redis/redis.sock"))
        #expect(byLine[29]?.database == 5 && byLine[29]?.arguments == [Self.bytes("k with space"), Self.bytes("va\"l")])
        #expect(byLine[44]?.command == "PUBLISH" && byLine[44]?.keys.isEmpty == true)
        #expect(byLine[46]?.command == "KEYS" && byLine[46]?.keys.isEmpty == true)
        #expect(byLine[47]?.command == "SCAN" && byLine[47]?.access == .other)
        #expect(byLine[49]?.command == "FCALL" && byLine[49]?.displayKeys == ["tenant:2:user:1"])
        #expect(byLine[53]?.arguments[0].count == 20)
        #expect(byLine[54]?.command == "INFO")   // logged as "info"
    }

    @Test func ipv6AndUnixAddresses() throws {
        let (events, _) = Self.parse([
            #"1795353237.000001 [0 [::1]:6379] "GET" "a""#,
            #"1795353237.000002 [12 [2001:db8::7]:50000] "GET" "b""#,
            #"1795353237.000003 [0 unix:/tmp/odd]dir/redis.sock] "GET" "c""#,
            #"1795353237.000004 [0 10.0.0.5:1] "GET" "d""#,
        ])
        let c = Self.commands(events)
        #expect(Self.unparsed(events).isEmpty)
        #expect(c.map(\.client) == [.tcp(host: "::1", port: 6379), .tcp(host: "2001:db8::7", port: 50000),
                                    .unix(path: "/tmp/odd]dir/redis.sock"), .tcp(host: "10.0.0.5", port: 1)])
        #expect(c[1].database == 12)
        #expect(c[0].client.description == "[::1]:6379")
        #expect(c.map { $0.time.microseconds % 10 } == [1, 2, 3, 4])
    }

    @Test func okAndBlankLinesAreSkippedSilently() {
        let (events, parser) = Self.parse(["OK", "", "   ", #"1795353237.358614 [0 lua] "PING""#, "\r"])
        #expect(events.count == 1)
        #expect(parser.unparsedLines == 0)
    }

    @Test func badLinesAreUnparsedAndTheStreamGoesOn() throws {
        let lines = [
            #"1795353237.358614 [0 127.0.0.1:51048] "SET" "tenant:1:user:42" "{\"name\":\"A"#,   // cut mid-quote
            #"1795353237.358614 [0 127.0.0.1:51048] "SET" "k\x4"#,                                // cut in \x
            #"1795353237.358614 [0 127.0.0.1:51048] "SET" "k" "v\"#,                              // cut after \
            #"1795353237.358614 [0 127.0.0.1:51048] "SET" "k\q" "v""#,                            // unknown escape
            #"1795353237.358614 [0 127.0.0.1:51048] "SET" "k\xZZ" "v""#,                          // bad hex
            #"1795353237.358614 [0 127.0.0.1:51048] "SET" "k"x "v""#,                             // text after quote
            #"1795353237.358614 [0 127.0.0.1:51048]"#,                                            // no command
            #"1795353237.358614 [0 127.0.0.1] "GET" "k""#,                                        // no port
            #"1795353237.358614 [x 127.0.0.1:1] "GET" "k""#,                                      // no db
            #"1795353237 [0 127.0.0.1:1] "GET" "k""#,                                             // no micros
            "hello world",
            #"1795353237.358614 [0 127.0.0.1:51048] "GET" "fine""#,
        ]
        let (events, parser) = Self.parse(lines)
        let bad = Self.unparsed(events)
        #expect(bad.map(\.position.line) == Array(1...11))
        #expect(bad.allSatisfy { $0.reason.hasPrefix("redis monitor: ") })
        #expect(bad[0].reason.contains("cut off"))
        #expect(bad[3].reason.contains("unknown escape"))
        #expect(parser.unparsedLines == 11)
        let good = Self.commands(events)
        #expect(good.count == 1 && good[0].position.line == 12 && good[0].displayKeys == ["fine"])
    }

    /// Numbers too big for their field, random bytes, NUL bytes and invalid UTF-8: one unparsed
    /// line each, the commands around them read.
    @Test func hostileLinesAreCountedWhereTheyAre() {
        let lines: [[UInt8]] = [
            Self.bytes(#"1795353237.358614 [0 127.0.0.1:51048] "GET" "acme:1""#),
            Self.bytes(#"99999999999999999999.000001 [0 127.0.0.1:52599] "GET" "acme:x""#),
            Self.bytes(#"1795353237.358614 [99999999999999999999 127.0.0.1:52599] "GET" "acme:x""#),
            Self.bytes(#"1795353237.358614 [0 127.0.0.1:99999999999] "GET" "acme:x""#),
            [0x58, 0xFF, 0xFE, 0x00, 0x22, 0xC3, 0x28, 0x9B],
            Self.bytes(#"1795353237.358614 [0 127.0.0.1:51048] "EVAL" "return 1" "9223372036854775807" "acme:k""#),
            Self.bytes(#"1795353237.358614 [0 127.0.0.1:51048] "GET" "acme:2\x1b[31m""#),
        ]
        let (events, parser) = Self.parse(lines)
        #expect(Self.unparsed(events).map(\.position.line) == [2, 3, 4, 5])
        #expect(parser.unparsedLines == 4)
        #expect(Self.commands(events).map(\.position.line) == [1, 6, 7])
        // A key count past Int (the client's number) names the keys there are, without a trap.
        #expect(Self.commands(events)[1].displayKeys == ["acme:k"])
        #expect(Self.commands(events).last?.arguments.first == Array("acme:2\u{1B}[31m".utf8))
    }

    @Test func everyByteValueRoundTrips() {
        var escaped = ""
        for b in 0...255 {
            escaped += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
        }
        let (events, _) = Self.parse([#"1795353237.358614 [0 127.0.0.1:1] "SET" ""# + escaped + #"" "\a\b""#])
        let c = Self.commands(events)
        #expect(c.count == 1)
        #expect(c.first?.arguments[0] == (0...255).map { UInt8($0) })
        #expect(c.first?.arguments[1] == [0x07, 0x08])
        if let key = c.first?.displayKeys.first {
            #expect(CacheKeyText.bytes(key) == (0...255).map { UInt8($0) })
        }
    }

    @Test func crlfLineEndings() {
        let (events, _) = Self.parse(["OK\r", #"1795353237.358614 [0 127.0.0.1:1] "GET" "k"\#r"#])
        #expect(Self.commands(events).map(\.displayKeys) == [["k"]])
        #expect(Self.unparsed(events).isEmpty)
    }

    @Test func tenThousandArgumentMSET() {
        var line = #"1795353237.358614 [0 127.0.0.1:51048] "MSET""#
        for k in 0..<5_000 { line += #" "project:\#(k)" "v\"\#(k)""# }
        let (events, _) = Self.parse([line])
        let c = Self.commands(events)
        #expect(c.count == 1)
        guard let mset = c.first else { return }
        #expect(mset.arguments.count == 10_000)
        #expect(mset.keyIndices.count == 5_000)
        #expect(mset.keyIndices.last == 9_998)
        #expect(mset.displayKeys[4_999] == "project:4999")
        #expect(mset.arguments[9_999] == Self.bytes("v\"4999"))
        #expect(mset.access == .write)
    }

    @Test func keyPositionsPerCommand() {
        func cmd(_ name: String, _ args: [String]) -> CacheCommand {
            CacheCommand(position: SourcePosition(file: "m", line: 1), time: Timestamp(microseconds: 0), database: 0,
                         client: .lua, command: name, arguments: args.map(Self.bytes))
        }
        #expect(cmd("MGET", ["a", "b", "c"]).keyIndices == [0, 1, 2])
        #expect(cmd("MSETNX", ["a", "1", "b", "2"]).keyIndices == [0, 2])
        #expect(cmd("EVALSHA", ["abc", "0", "x"]).keyIndices == [])
        #expect(cmd("EVAL", ["s", "3", "a", "b"]).keyIndices == [2, 3])   // numkeys larger than what is there
        #expect(cmd("EVAL", ["s", "nope", "a"]).keyIndices == [])
        #expect(cmd("BLPOP", ["a", "b", "0"]).keyIndices == [0, 1])
        #expect(cmd("ZUNIONSTORE", ["d", "2", "a", "b", "WEIGHTS", "1", "2"]).keyIndices == [0, 2, 3])
        #expect(cmd("RENAME", ["a", "b"]).keyIndices == [0, 1])
        #expect(cmd("OBJECT", ["ENCODING", "k"]).keyIndices == [1])
        #expect(cmd("EXPIRE", ["k", "10"]).access == .other)
        #expect(cmd("UNLINK", ["a", "b"]).access == .delete)
        #expect(cmd("HGETALL", ["h"]).access == .read)
        #expect(cmd("GETDEL", ["k"]).access == .read)
        #expect(cmd("PING", []).keyIndices == [] && cmd("PING", []).access == .other)
        #expect(cmd("CLIENT", ["setname", "billing"]).clientName == "billing")
        #expect(cmd("CLIENT", ["SETNAME", "billing"]).keys.isEmpty)
        #expect(cmd("GET", []).keyIndices == [])
    }

    @Test func clientNamesFollowTheirConnectionOnly() {
        let (events, _) = Self.parse([
            #"1795353237.000001 [0 127.0.0.1:1000] "CLIENT" "SETNAME" "acme-api""#,
            #"1795353237.000002 [0 127.0.0.1:1000] "GET" "a""#,
            #"1795353237.000003 [0 127.0.0.1:1001] "GET" "b""#,
            #"1795353237.000004 [0 lua] "GET" "c""#,
            #"1795353237.000005 [0 127.0.0.1:1000] "EVAL" "return 1" "0""#,
            #"1795353237.000006 [0 lua] "GET" "d""#,
            #"1795353237.000007 [0 127.0.0.1:1001] "FCALL" "f" "0""#,
            #"1795353237.000008 [0 lua] "GET" "e""#,
        ])
        #expect(Self.commands(events).map(\.clientName) == ["acme-api", "acme-api", nil, nil, "acme-api", "acme-api", nil, nil])
    }

    @Test func displayTextIsLossless() {
        let samples: [[UInt8]] = [[], Self.bytes("plain:key"), [0xD0], [0xD0, 0xBA], Self.bytes("a\\xd0"),
                                  [0xE2, 0x82], [0xC2, 0x85], [0xF0, 0x9F, 0x98, 0x80], [0xED, 0xA0, 0x80]]
        for s in samples {
            #expect(CacheKeyText.bytes(CacheKeyText.display(s)) == s)
        }
        #expect(CacheKeyText.display([0xD0]) == "\\xd0")
        #expect(CacheKeyText.display(Self.bytes("a\\xd0")) == "a\\\\xd0")
        #expect(CacheKeyText.display([0xF0, 0x9F, 0x98, 0x80]) == "😀")
        #expect(CacheKeyText.bytes("bad\\q") == nil)
    }
}
