/// One command a Redis server executed, as `MONITOR` shows it.
///
/// Arguments are kept byte-exact (`[UInt8]`): binary keys and values are not text, and two keys
/// that differ in one byte are two keys. What is a key, and whether the command reads or writes
/// it, is derived from the command's name once, at construction.
public struct CacheCommand: Sendable, Equatable {
    public var position: SourcePosition
    public var time: Timestamp
    /// The logical database (`SELECT n`) the command ran in.
    public var database: Int
    public var client: CacheClient
    /// The command name, ASCII upper-cased (`info` is logged as the client sent it).
    public private(set) var command: String
    /// Every argument after the command name, unescaped, byte-exact.
    public private(set) var arguments: [[UInt8]]
    /// Which `arguments` are keys (indices, in order).
    public private(set) var keyIndices: [Int]
    public private(set) var access: CacheAccess
    /// `CLIENT SETNAME name` on that command itself; on later commands of the same TCP
    /// connection, and on the `lua` lines of a script that connection ran, when the parser
    /// tracked it. Never a key.
    public var clientName: String?

    public init(position: SourcePosition, time: Timestamp, database: Int, client: CacheClient,
                command: String, arguments: [[UInt8]], clientName: String? = nil) {
        self.position = position
        self.time = time
        self.database = database
        self.client = client
        self.command = command
        self.arguments = arguments
        self.clientName = clientName
        let spec = CacheCommandTable.spec(for: command, arguments: arguments)
        self.keyIndices = spec.keys
        self.access = spec.access
        if command == "CLIENT", arguments.count >= 2, Self.asciiUpper(arguments[0]) == "SETNAME" {
            self.clientName = String(decoding: arguments[1], as: UTF8.self)
        }
    }

    /// The key arguments, byte-exact.
    public var keys: [[UInt8]] { keyIndices.map { arguments[$0] } }

    /// The keys as readable, lossless text (see `CacheKeyText`).
    public var displayKeys: [String] { keyIndices.map { CacheKeyText.display(arguments[$0]) } }

    package static func asciiUpper(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}

/// Who sent a command, as MONITOR's `[db addr]` names it.
public enum CacheClient: Hashable, Sendable, CustomStringConvertible {
    /// A TCP client; `host` is the bare address (IPv6 without brackets).
    case tcp(host: String, port: Int)
    /// A Unix-socket client: the path is the *server's* socket, shared by every such client.
    case unix(path: String)
    /// A command run by a Lua script or function (`EVAL`, `FCALL`).
    case lua

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        case .lua: return "lua"
        }
    }
}

/// What a command does to its keys' data.
public enum CacheAccess: String, Sendable, Codable {
    /// Returns a key's data (GET, HGETALL, LRANGE, MGET, ...).
    case read
    /// Stores or changes a key's data (SET, HSET, LPUSH, INCR, ...).
    case write
    /// Removes keys (DEL, UNLINK).
    case delete
    /// Everything else: metadata (TTL, EXPIRE, EXISTS, TYPE), scripts, connection and server
    /// commands (PING, INFO, CLIENT, SELECT, AUTH, CONFIG, KEYS, SCAN, MULTI, EXEC...).
    case other
}

/// Keys as text a person can read and a program can turn back into the exact bytes.
///
/// Printable ASCII and well-formed UTF-8 (outside C0/C1 controls) stay as they are; a backslash
/// becomes `\\`; every other byte (`\xd0` of a cut UTF-8 sequence, `\x00`, `\n`) becomes `\xNN`.
public enum CacheKeyText {
    public static func display(_ bytes: [UInt8]) -> String {
        var plain = true
        for b in bytes where b < 0x20 || b >= 0x7F || b == 0x5C { plain = false; break }
        if plain { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        func hex(_ b: UInt8) {
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(0x5C); out.append(0x78)
            out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)])
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x5C { out.append(0x5C); out.append(0x5C); i += 1; continue }
            if b >= 0x20 && b < 0x7F { out.append(b); i += 1; continue }
            if b < 0x80 { hex(b); i += 1; continue }
            let n = utf8SequenceLength(bytes, at: i)
            if n > 0 {
                out.append(contentsOf: bytes[i..<(i + n)])
                i += n
            } else {
                hex(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes `display` was made from; nil when `text` has a malformed escape.
    public static func bytes(_ text: String) -> [UInt8]? {
        let s = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] != 0x5C { out.append(s[i]); i += 1; continue }
            guard i + 1 < s.count else { return nil }
            if s[i + 1] == 0x5C { out.append(0x5C); i += 2; continue }
            guard s[i + 1] == 0x78, i + 3 < s.count, let h = hexValue(s[i + 2]), let l = hexValue(s[i + 3]) else { return nil }
            out.append(h << 4 | l)
            i += 4
        }
        return out
    }

    package static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    /// Length of a well-formed, printable UTF-8 sequence of 2–4 bytes at `i`, else 0.
    package static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let n: Int
        var scalar: UInt32
        switch c {
        case 0xC2...0xDF: n = 2; scalar = UInt32(c & 0x1F)
        case 0xE0...0xEF: n = 3; scalar = UInt32(c & 0x0F)
        case 0xF0...0xF4: n = 4; scalar = UInt32(c & 0x07)
        default: return 0
        }
        guard i + n <= b.count else { return 0 }
        for k in 1..<n {
            let cc = b[i + k]
            guard cc & 0xC0 == 0x80 else { return 0 }
            scalar = scalar << 6 | UInt32(cc & 0x3F)
        }
        // Overlong forms, surrogates, beyond U+10FFFF, and C1 controls are shown as bytes.
        if n == 3 && scalar < 0x800 { return 0 }
        if n == 4 && (scalar < 0x10000 || scalar > 0x10FFFF) { return 0 }
        if scalar >= 0xD800 && scalar <= 0xDFFF { return 0 }
        if scalar < 0xA0 { return 0 }
        return n
    }
}

/// Which arguments of a command are keys, and what the command does with them.
package enum CacheCommandTable {
    package enum KeySpec {
        case none
        /// The first argument.
        case first
        /// The first two (RENAME, LMOVE, SMOVE, COPY, ...).
        case firstTwo
        /// Every argument (MGET, DEL, EXISTS, ...).
        case all
        /// Every argument but the last (BLPOP k1 k2 timeout).
        case allButLast
        /// Arguments 0, 2, 4, ... (MSET k v k v).
        case everyOther
        /// `numkeys` at `index`, then that many keys (EVAL script numkeys k..., ZUNION numkeys k...).
        case counted(index: Int)
        /// A destination first, then `numkeys` at 1 and that many keys (ZUNIONSTORE).
        case destinationThenCounted
    }

    package struct Entry {
        package var keys: KeySpec
        package var access: CacheAccess
    }

    package static let entries: [String: Entry] = {
        var t: [String: Entry] = [:]
        func add(_ names: String, _ keys: KeySpec, _ access: CacheAccess) {
            for n in names.split(separator: " ") { t[String(n)] = Entry(keys: keys, access: access) }
        }
        // Strings.
        add("GET GETRANGE SUBSTR STRLEN GETEX GETDEL LCS", .first, .read)
        add("SET SETEX PSETEX SETNX GETSET APPEND SETRANGE INCR INCRBY INCRBYFLOAT DECR DECRBY", .first, .write)
        add("MGET", .all, .read)
        add("MSET MSETNX", .everyOther, .write)
        // Hashes.
        add("HGET HGETALL HMGET HKEYS HVALS HLEN HEXISTS HSTRLEN HRANDFIELD HSCAN", .first, .read)
        add("HSET HMSET HSETNX HDEL HINCRBY HINCRBYFLOAT", .first, .write)
        // Lists.
        add("LRANGE LINDEX LLEN LPOS", .first, .read)
        add("LPUSH RPUSH LPUSHX RPUSHX LSET LINSERT LPOP RPOP LREM LTRIM", .first, .write)
        add("RPOPLPUSH LMOVE BRPOPLPUSH BLMOVE", .firstTwo, .write)
        add("BLPOP BRPOP", .allButLast, .write)
        add("LMPOP", .counted(index: 0), .write)
        add("BLMPOP", .counted(index: 1), .write)
        // Sets.
        add("SMEMBERS SISMEMBER SMISMEMBER SCARD SRANDMEMBER SSCAN", .first, .read)
        add("SADD SREM SPOP", .first, .write)
        add("SINTER SUNION SDIFF", .all, .read)
        add("SINTERSTORE SUNIONSTORE SDIFFSTORE", .all, .write)
        add("SMOVE", .firstTwo, .write)
        add("SINTERCARD", .counted(index: 0), .read)
        // Sorted sets.
        add("ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE ZREVRANGEBYLEX ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZRANDMEMBER ZSCAN",
            .first, .read)
        add("ZADD ZINCRBY ZREM ZREMRANGEBYSCORE ZREMRANGEBYRANK ZREMRANGEBYLEX ZPOPMIN ZPOPMAX", .first, .write)
        add("ZRANGESTORE", .firstTwo, .write)
        add("ZUNION ZINTER ZDIFF ZINTERCARD", .counted(index: 0), .read)
        add("ZUNIONSTORE ZINTERSTORE ZDIFFSTORE", .destinationThenCounted, .write)
        add("BZPOPMIN BZPOPMAX", .allButLast, .write)
        add("ZMPOP", .counted(index: 0), .write)
        add("BZMPOP", .counted(index: 1), .write)
        // Streams, HyperLogLog, geo, bitmaps, JSON module.
        add("XRANGE XREVRANGE XLEN XPENDING", .first, .read)
        add("XADD XDEL XTRIM XACK XCLAIM XAUTOCLAIM", .first, .write)
        add("PFCOUNT", .all, .read)
        add("PFADD", .first, .write)
        add("PFMERGE", .all, .write)
        add("GEOPOS GEODIST GEOHASH GEORADIUS_RO GEORADIUSBYMEMBER_RO GEOSEARCH GETBIT BITCOUNT BITPOS BITFIELD_RO",
            .first, .read)
        add("GEOADD SETBIT BITFIELD", .first, .write)
        add("JSON.GET JSON.TYPE JSON.STRLEN JSON.ARRLEN JSON.OBJKEYS", .first, .read)
        add("JSON.SET JSON.DEL JSON.MERGE JSON.NUMINCRBY JSON.ARRAPPEND JSON.STRAPPEND", .first, .write)
        add("JSON.MGET", .allButLast, .read)
        // Whole keys.
        add("DUMP", .first, .read)
        add("RESTORE", .first, .write)
        add("RENAME RENAMENX COPY", .firstTwo, .write)
        add("DEL UNLINK", .all, .delete)
        // Metadata: keys, but not their data.
        add("EXPIRE PEXPIRE EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME PERSIST TTL PTTL TYPE OBJECT MOVE", .first, .other)
        add("EXISTS TOUCH WATCH", .all, .other)
        // Scripts: the commands they run are logged again as `lua` lines, and counted there.
        add("EVAL EVALSHA EVAL_RO EVALSHA_RO FCALL FCALL_RO", .counted(index: 1), .other)
        return t
    }()

    package static func spec(for command: String, arguments: [[UInt8]]) -> (keys: [Int], access: CacheAccess) {
        guard let e = entries[command] else { return ([], .other) }
        let n = arguments.count
        var keys: [Int]
        switch e.keys {
        case .none: keys = []
        case .first: keys = n >= 1 ? [0] : []
        case .firstTwo: keys = Array(0..<min(2, n))
        case .all: keys = Array(0..<n)
        case .allButLast: keys = n >= 2 ? Array(0..<(n - 1)) : []
        case .everyOther: keys = Array(stride(from: 0, to: n, by: 2))
        case .counted(let index):
            keys = counted(arguments, at: index)
        case .destinationThenCounted:
            keys = n >= 1 ? [0] + counted(arguments, at: 1) : []
        }
        // `OBJECT ENCODING key`, `OBJECT FREQ key`: the key is the second argument.
        if command == "OBJECT" { keys = n >= 2 ? [1] : [] }
        return (keys, e.access)
    }

    private static func counted(_ arguments: [[UInt8]], at index: Int) -> [Int] {
        guard index < arguments.count, let count = Int(String(decoding: arguments[index], as: UTF8.self)),
              count > 0 else { return [] }
        let first = index + 1
        // The count is the client's (`EVAL s 9223372036854775807 k`): clamped before adding.
        let last = first + min(count, max(0, arguments.count - first))
        return first < last ? Array(first..<last) : []
    }
}
