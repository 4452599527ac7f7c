/// A JWT split and decoded, not yet trusted: header and claims are read, the signature is only
/// carried along for `JWTKeySet` to check.
public struct JWTToken: Sendable {
    /// Longer tokens are refused before any decoding (real JWTs are a few KB at most).
    public static let maximumLength = 64 * 1024

    public var header: JSONValue
    public var claims: JSONValue
    /// `header.alg` as written (`HS256`, `none`, ...).
    public var algorithm: String?
    /// `header.kid`.
    public var keyID: String?
    /// `base64url(header) + "." + base64url(payload)`: the bytes the signature signs.
    public var signingInput: [UInt8]
    public var signature: [UInt8]

    /// Splits and decodes a compact JWS. A leading `Bearer ` (any case) and surrounding spaces
    /// are removed first. Throws when the token is not three base64url parts of JSON objects.
    public init(_ raw: String) throws(JWTDecodeError) {
        let compact = JWTToken.stripBearer(raw)
        let length = compact.utf8.count
        guard length <= JWTToken.maximumLength else { throw .tooLong(length) }
        let bytes = Array(compact.utf8)
        guard !bytes.isEmpty else { throw .empty }
        var dots: [Int] = []
        for (k, c) in bytes.enumerated() where c == UInt8(ascii: ".") {
            dots.append(k)
            if dots.count > 2 { break }
        }
        guard dots.count == 2 else { throw .wrongPartCount(compact.split(separator: ".", omittingEmptySubsequences: false).count) }
        guard let headerBytes = Base64URL.decode(bytes[0..<dots[0]]) else { throw .badBase64("header") }
        guard let payloadBytes = Base64URL.decode(bytes[(dots[0] + 1)..<dots[1]]) else { throw .badBase64("payload") }
        guard let signatureBytes = Base64URL.decode(bytes[(dots[1] + 1)...]) else { throw .badBase64("signature") }
        let header: JSONValue, claims: JSONValue
        do { header = try JSONParser.parse(headerBytes, maximumDepth: 64) } catch { throw .badJSON("header") }
        do { claims = try JSONParser.parse(payloadBytes, maximumDepth: 64) } catch { throw .badJSON("payload") }
        guard case .object = header else { throw .badJSON("header") }
        guard case .object = claims else { throw .badJSON("payload") }
        self.header = header
        self.claims = claims
        self.algorithm = header["alg"]?.scalarText
        self.keyID = header["kid"]?.scalarText
        self.signingInput = Array(bytes[0..<dots[1]])
        self.signature = signatureBytes
    }

    /// The tenant at a dotted claim path (`tenant_id`, `org.tenant`): a string, or a number as
    /// its decimal text, matched exactly (`ClaimReading`); nil when absent or ambiguous.
    public func tenant(atClaim path: String) -> String? {
        if case .value(let t) = ClaimReading.read(claims, path: path) { return t }
        return nil
    }

    public var subject: String? { exactScalar("sub") }
    /// `sid`, else `jti`.
    public var sessionID: String? { exactScalar("sid") ?? exactScalar("jti") }
    /// `exp` in seconds since the epoch (fractions allowed, as RFC 7519 NumericDate); nil when
    /// absent or not readable (`expiryReading` says why).
    public var expiresAt: Double? { (try? ClaimReading.numericDate(claims, name: "exp").get()) ?? nil }
    public var notBefore: Double? { (try? ClaimReading.numericDate(claims, name: "nbf").get()) ?? nil }

    /// Why `exp` or `nbf` cannot be read as a NumericDate (a string, given twice), if so.
    public var timeClaimAmbiguity: String? {
        for name in ["exp", "nbf"] {
            if case .failure(let a) = ClaimReading.numericDate(claims, name: name) { return a.reason }
        }
        return nil
    }

    private func exactScalar(_ name: String) -> String? {
        guard case .object(let members) = claims else { return nil }
        return members.last { $0.0 == name }?.1.scalarText
    }

    static func stripBearer(_ raw: String) -> Substring {
        if let cut = asciiBearerCut(raw) {
            // Offsets into the UTF-8 view of a native string: O(1) indices.
            let u = raw.utf8
            return raw[u.index(u.startIndex, offsetBy: cut.lowerBound)..<u.index(u.startIndex, offsetBy: cut.upperBound)]
        }
        var s = Substring(raw)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        // `Bearer <token>`, or a bare `Bearer` with nothing after it.
        if s.utf8.count >= 6, s.prefix(6).lowercased() == "bearer" {
            let rest = s.dropFirst(6)
            if rest.isEmpty { return rest }
            if rest.first == " " || rest.first == "\t" {
                s = rest
                while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
            }
        }
        return s
    }

    /// `stripBearer` on the bytes of an all-ASCII token (every token a well-behaved client
    /// sends): the byte offsets of what remains; nil for any other text, which takes the general
    /// path. Runs once per audit line, where cutting Substrings character by character cost
    /// more than decoding the token.
    private static func asciiBearerCut(_ raw: String) -> Range<Int>? {
        let cut = raw.utf8.withContiguousStorageIfAvailable { b -> Range<Int>? in
            @inline(__always) func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
            for c in b where c >= 0x80 { return nil }
            var lo = 0, hi = b.count
            while lo < hi, blank(b[lo]) { lo += 1 }
            while hi > lo, blank(b[hi - 1]) { hi -= 1 }
            if hi - lo >= 6, b[lo] | 0x20 == UInt8(ascii: "b"), b[lo + 1] | 0x20 == UInt8(ascii: "e"),
               b[lo + 2] | 0x20 == UInt8(ascii: "a"), b[lo + 3] | 0x20 == UInt8(ascii: "r"),
               b[lo + 4] | 0x20 == UInt8(ascii: "e"), b[lo + 5] | 0x20 == UInt8(ascii: "r") {
                let rest = lo + 6
                if rest == hi { return rest..<hi }
                if blank(b[rest]) {
                    var k = rest
                    while k < hi, blank(b[k]) { k += 1 }
                    return k..<hi
                }
            }
            return lo..<hi
        }
        return cut ?? nil
    }

    /// `eyJhbG…x4Tc`: first 6 and last 4 characters; shorter tokens show only `…`.
    public static func mask(_ raw: String) -> String {
        let s = stripBearer(raw)
        let scalars = s.unicodeScalars
        guard scalars.index(scalars.startIndex, offsetBy: 10, limitedBy: scalars.endIndex).map({ $0 < scalars.endIndex }) == true else {
            return "…"
        }
        return String(String.UnicodeScalarView(scalars.prefix(6))) + "…" + String(String.UnicodeScalarView(scalars.suffix(4)))
    }
}

/// Why a token could not be read at all.
public enum JWTDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case wrongPartCount(Int)
    case badBase64(String)
    case badJSON(String)

    public var description: String {
        switch self {
        case .empty: return "empty token"
        case .tooLong(let n): return "token too long (\(n) bytes)"
        case .wrongPartCount(let n): return "not a JWT (\(n) parts, expected 3)"
        case .badBase64(let part): return "bad base64url in the \(part)"
        case .badJSON(let part): return "the \(part) is not a JSON object"
        }
    }
}

/// base64url (RFC 4648 §5) decoding that tolerates missing `=` padding, as JWTs omit it.
enum Base64URL {
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for (k, c) in alphabet.enumerated() { t[Int(c)] = UInt8(k) }
        // Standard base64's `+` and `/` are accepted too: some issuers get it wrong.
        t[Int(UInt8(ascii: "+"))] = 62
        t[Int(UInt8(ascii: "/"))] = 63
        return t
    }()

    static func decode<C: Collection>(_ input: C) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        var sawPadding = false
        for c in input {
            if c == UInt8(ascii: "=") { sawPadding = true; continue }
            guard !sawPadding else { return nil }
            let v = table[Int(c)]
            guard v != 0xFF else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // 1 leftover character (6 bits) cannot encode a byte.
        guard bits < 6 else { return nil }
        return out
    }
}
