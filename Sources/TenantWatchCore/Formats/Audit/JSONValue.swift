/// A parsed JSON value. Objects keep their members in order (duplicates included); numbers
/// keep their text, so a 40-digit id or `1e400` loses nothing.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member `key`: an exact match (the last one, as most parsers do), else the first
    /// ASCII-case-insensitive match (HTTP header names are case-insensitive: `Authorization`).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        var folded: JSONValue?
        for (k, v) in members.reversed() {
            if k == key { return v }
        }
        for (k, v) in members where folded == nil && JSONValue.asciiCaseInsensitiveEqual(k, key) {
            folded = v
        }
        return folded
    }

    /// Follows a dotted path (`headers.authorization`) through nested objects. An empty path or a
    /// missing member gives `nil`; a JSON `null` at the end also gives `nil`.
    public func value(atPath path: String) -> JSONValue? {
        guard !path.isEmpty else { return nil }
        return value(atSegments: JSONValue.segments(of: path))
    }

    /// `path` cut at its dots, as `value(atPath:)` follows it.
    static func segments(of path: String) -> [String] {
        path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// `value(atPath:)` with the path already cut (`segments(of:)`): a parser that looks up the
    /// same few paths on every line cuts them once.
    func value(atSegments segments: [String]) -> JSONValue? {
        guard !segments.isEmpty else { return nil }
        var current = self
        for segment in segments {
            guard let next = current[segment] else { return nil }
            current = next
        }
        if case .null = current { return nil }
        return current
    }

    /// A scalar as text: strings as they are, numbers as written, booleans as `true`/`false`.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    static func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (c, d) in zip(x, y) where c != d {
            let lc = (c &- 65 < 26) ? c | 0x20 : c
            let ld = (d &- 65 < 26) ? d | 0x20 : d
            if lc != ld { return false }
        }
        return true
    }
}

/// Why a line is not a JSON value.
public struct JSONParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    /// Byte offset in the line.
    public var offset: Int
    public var description: String { "\(message) at byte \(offset + 1)" }
}

/// A small byte-level JSON parser (RFC 8259), built for one log line at a time.
///
/// Full JSON: nested containers, every escape including `\uXXXX` surrogate pairs, numbers kept
/// as text. Nesting deeper than `maximumDepth` is an error, not a stack overflow. Invalid UTF-8
/// inside strings is repaired (U+FFFD) rather than rejected: a log line with one bad byte still
/// names its tenant. Raw control characters (NUL included) inside strings are errors, as the
/// grammar says.
public struct JSONParser {
    public static let defaultMaximumDepth = 512

    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    private let maximumDepth: Int
    private var scratch: [UInt8] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.b = bytes
        self.maximumDepth = maximumDepth
    }

    /// Parses exactly one JSON value (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>,
                             maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes, maximumDepth: maximumDepth)
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        guard p.i == bytes.count else { throw p.error("trailing characters after the JSON value") }
        return v
    }

    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, JSONParseError> = copy.withUTF8 { buf in
            do throws(JSONParseError) { return .success(try parse(buf, maximumDepth: maximumDepth)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public static func parse(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buf in
            do throws(JSONParseError) { return .success(try parse(buf, maximumDepth: maximumDepth)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: i) }

    @inline(__always) private mutating func skipWhitespace() {
        while i < b.count {
            let c = b[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard i < b.count else { throw error("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case 0: throw error("NUL byte")
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw error("unexpected end of input") }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw error("invalid literal") }
        i += n
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw error("nested deeper than \(maximumDepth) levels") }
        i += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
            i += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard i < b.count else { throw error("unexpected end of input") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw error("nested deeper than \(maximumDepth) levels") }
        i += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard i < b.count else { throw error("unexpected end of input") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, b[i] &- 48 < 10 else { throw error("invalid number") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, b[i] &- 48 < 10 { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, b[i] &- 48 < 10 else { throw error("invalid number") }
            while i < b.count, b[i] &- 48 < 10 { i += 1 }
        }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, b[i] &- 48 < 10 else { throw error("invalid number") }
            while i < b.count, b[i] &- 48 < 10 { i += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= b.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let h = JSONParser.hexValue(b[i + k]) else { throw error("invalid \\u escape") }
            v = v << 4 | h
        }
        i += 4
        return v
    }

    private mutating func appendScalar(_ v: UInt32) {
        let s = Unicode.Scalar(v) ?? "\u{FFFD}"
        for u in UTF8.encode(s)! { scratch.append(u) }
    }

    /// At the opening quote; returns the decoded string and leaves `i` after the closing quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error(c == 0 ? "NUL byte in a string" : "control character in a string") }
            i += 1
        }
        guard i < b.count else { throw error("unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if c < 0x20 { throw error(c == 0 ? "NUL byte in a string" : "control character in a string") }
            if c != UInt8(ascii: "\\") { scratch.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { break }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                let u = try hex4()
                if u >= 0xD800 && u < 0xDC00 {
                    // A high surrogate: pair it with the low one that should follow.
                    if i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            appendScalar(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
                        } else {
                            appendScalar(0xFFFD)  // lone high surrogate
                            i = save
                        }
                    } else {
                        appendScalar(0xFFFD)
                    }
                } else if u >= 0xDC00 && u < 0xE000 {
                    appendScalar(0xFFFD)  // lone low surrogate
                } else {
                    appendScalar(u)
                }
            default:
                i -= 1
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }
}
