import TenantWatchModel

/// Reads `redis-cli MONITOR` output (Redis 7):
///
///     1795353237.358614 [0 127.0.0.1:51048] "SET" "tenant:1:user:42" "{\"name\":\"Ann\"}"
///
/// The address is `host:port`, `[ipv6]:port`, `unix:/server/socket` or `lua`. Every argument is
/// double-quoted with Redis's escapes (`\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xNN`) and is
/// kept byte-exact. The `OK` that opens MONITOR output and blank lines are skipped; anything else
/// that does not have this shape (a line cut off inside a quote, a bad escape, a bad address)
/// becomes `.unparsed` with its position, and the stream goes on.
///
/// Byte-level and allocation-light: it runs over hundreds of thousands of lines a second.
public struct RedisMonitorParser: LogParser {
    public let file: String
    /// Lines turned into `.cacheCommand`.
    public private(set) var commands = 0
    /// Lines turned into `.unparsed`.
    public private(set) var unparsedLines = 0
    /// TCP connections whose `CLIENT SETNAME` is remembered at once; past it the map starts over.
    public var clientNameLimit = 65_536

    private var clientNames: [CacheClient: String] = [:]
    private var scriptCallerName: String?
    static let scriptCommands: Set<String> = ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]

    public init(file: String) { self.file = file }

    public mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0D || line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        if end == 0 { return }
        if end == 2, line[0] == 0x4F, line[1] == 0x4B { return }   // "OK", MONITOR's answer
        let position = SourcePosition(file: file, line: lineNumber)
        switch Self.parse(line, end: end) {
        case .success(let parsed):
            var command = CacheCommand(position: position, time: parsed.time, database: parsed.database,
                                       client: parsed.client, command: parsed.command, arguments: parsed.arguments)
            switch parsed.client {
            case .tcp:
                if command.command == "CLIENT", let name = command.clientName {
                    if clientNames.count >= clientNameLimit { clientNames.removeAll(keepingCapacity: true) }
                    clientNames[parsed.client] = name
                } else if let name = clientNames[parsed.client] {
                    command.clientName = name
                }
                if Self.scriptCommands.contains(command.command) { scriptCallerName = command.clientName }
            case .unix:
                if Self.scriptCommands.contains(command.command) { scriptCallerName = command.clientName }
            case .lua:
                // A script's commands are logged right after the EVAL/FCALL that ran them.
                command.clientName = scriptCallerName
            }
            commands += 1
            events.append(.cacheCommand(command))
        case .failure(let error):
            unparsedLines += 1
            events.append(.unparsed(UnparsedLine(position: position, reason: "redis monitor: " + error.reason)))
        }
    }

    public mutating func finish(into events: inout [Event]) {}

    struct Parsed {
        var time: Timestamp
        var database: Int
        var client: CacheClient
        var command: String
        var arguments: [[UInt8]]
    }

    struct ParseError: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static func parse(_ line: UnsafeBufferPointer<UInt8>, end: Int) -> Result<Parsed, ParseError> {
        var i = 0
        // <seconds>.<micros>
        var seconds: Int64 = 0
        let secondsStart = i
        while i < end, line[i] &- 0x30 < 10 {
            seconds = seconds &* 10 &+ Int64(line[i] &- 0x30)
            i += 1
        }
        guard i > secondsStart, i - secondsStart <= 12, i < end, line[i] == 0x2E else {
            return .failure(ParseError("expected <seconds>.<microseconds> at the start"))
        }
        i += 1
        var micros: Int64 = 0
        var digits = 0
        while i < end, line[i] &- 0x30 < 10 {
            if digits < 6 { micros = micros * 10 + Int64(line[i] &- 0x30) }
            digits += 1
            i += 1
        }
        guard digits > 0 else { return .failure(ParseError("expected <seconds>.<microseconds> at the start")) }
        if digits < 6 { for _ in digits..<6 { micros *= 10 } }
        let time = Timestamp(microseconds: seconds * 1_000_000 + micros)
        // " [<db> "
        guard i + 2 < end, line[i] == 0x20, line[i + 1] == 0x5B else {
            return .failure(ParseError("expected \" [<db> <client>]\" after the time"))
        }
        i += 2
        var database = 0
        let dbStart = i
        while i < end, line[i] &- 0x30 < 10, i - dbStart < 9 {
            database = database * 10 + Int(line[i] &- 0x30)
            i += 1
        }
        guard i > dbStart, i < end, line[i] == 0x20 else {
            return .failure(ParseError("expected a database number after \"[\""))
        }
        i += 1
        // The address ends at the `]` just before the first argument's quote: an IPv6 address
        // has its own brackets, so the first `]` is not the end.
        let addressStart = i
        var quote = i
        while quote < end, line[quote] != 0x22 { quote += 1 }
        guard quote < end else { return .failure(ParseError("no command (no quoted argument)")) }
        guard quote - 2 > addressStart, line[quote - 1] == 0x20, line[quote - 2] == 0x5D else {
            return .failure(ParseError("expected \"] \" before the first argument"))
        }
        guard let client = parseClient(line, from: addressStart, to: quote - 2) else {
            return .failure(ParseError("unrecognised client address \"\(TextSanitizer.oneLine(String(decoding: UnsafeBufferPointer(rebasing: line[addressStart..<(quote - 2)]), as: UTF8.self)))\""))
        }
        // "arg" "arg" ...
        i = quote
        var arguments: [[UInt8]] = []
        var argumentNumber = 0
        while true {
            argumentNumber += 1
            // line[i] is the opening quote.
            i += 1
            var arg: [UInt8] = []
            var closed = false
            while i < end {
                let c = line[i]
                if c == 0x22 { closed = true; i += 1; break }
                if c != 0x5C {
                    // Copy the run up to the next quote or backslash in one go.
                    var j = i + 1
                    while j < end, line[j] != 0x22, line[j] != 0x5C { j += 1 }
                    arg.append(contentsOf: UnsafeBufferPointer(rebasing: line[i..<j]))
                    i = j
                    continue
                }
                guard i + 1 < end else { break }
                switch line[i + 1] {
                case 0x22: arg.append(0x22); i += 2
                case 0x5C: arg.append(0x5C); i += 2
                case 0x6E: arg.append(0x0A); i += 2
                case 0x72: arg.append(0x0D); i += 2
                case 0x74: arg.append(0x09); i += 2
                case 0x61: arg.append(0x07); i += 2
                case 0x62: arg.append(0x08); i += 2
                case 0x78:
                    guard i + 3 < end, let h = CacheKeyText.hexValue(line[i + 2]), let l = CacheKeyText.hexValue(line[i + 3]) else {
                        if i + 3 >= end { i = end; break }   // cut off inside the escape
                        return .failure(ParseError("bad \\x escape in argument \(argumentNumber)"))
                    }
                    arg.append(h << 4 | l)
                    i += 4
                default:
                    return .failure(ParseError("unknown escape \\\(String(UnicodeScalar(line[i + 1]))) in argument \(argumentNumber)"))
                }
            }
            guard closed else {
                return .failure(ParseError("line ends inside argument \(argumentNumber) (cut off?)"))
            }
            arguments.append(arg)
            if i == end { break }
            guard line[i] == 0x20, i + 1 < end, line[i + 1] == 0x22 else {
                return .failure(ParseError("unexpected text after argument \(argumentNumber)"))
            }
            i += 1
        }
        let name = arguments.removeFirst()
        guard !name.isEmpty else { return .failure(ParseError("empty command name")) }
        return .success(Parsed(time: time, database: database, client: client,
                               command: CacheCommand.asciiUpper(name), arguments: arguments))
    }

    /// `lua`, `unix:/path`, `[ipv6]:port`, `host:port`.
    static func parseClient(_ line: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> CacheClient? {
        let n = end - start
        if n == 3, line[start] == 0x6C, line[start + 1] == 0x75, line[start + 2] == 0x61 { return .lua }
        if n > 5, line[start] == 0x75, line[start + 1] == 0x6E, line[start + 2] == 0x69,
           line[start + 3] == 0x78, line[start + 4] == 0x3A {
            return .unix(path: String(decoding: UnsafeBufferPointer(rebasing: line[(start + 5)..<end]), as: UTF8.self))
        }
        // The port follows the last colon.
        var colon = end - 1
        while colon >= start, line[colon] != 0x3A { colon -= 1 }
        guard colon > start, colon + 1 < end, end - colon - 1 <= 5 else { return nil }
        var port = 0
        for k in (colon + 1)..<end {
            guard line[k] &- 0x30 < 10 else { return nil }
            port = port * 10 + Int(line[k] &- 0x30)
        }
        guard port <= 65_535 else { return nil }
        var hostStart = start, hostEnd = colon
        if line[start] == 0x5B {
            guard line[colon - 1] == 0x5D, colon - 1 > start + 1 else { return nil }
            hostStart = start + 1
            hostEnd = colon - 1
        }
        for k in hostStart..<hostEnd where line[k] <= 0x20 || line[k] == 0x5B || line[k] == 0x5D { return nil }
        return .tcp(host: String(decoding: UnsafeBufferPointer(rebasing: line[hostStart..<hostEnd]), as: UTF8.self), port: port)
    }
}
