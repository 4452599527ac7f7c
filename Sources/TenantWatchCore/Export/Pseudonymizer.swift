import Foundation

/// Least privilege for a bundle made for one tenant: every other known tenant's identifier is
/// replaced by a stable pseudonym (`tenant-1`, `tenant-2`, ...) wherever it stands as a whole
/// word, in any string.
///
/// "Whole word" is deliberately wide: only ASCII letters and digits count as word characters, so
/// `globex.example.com`, `globex:project:7`, `user-globex-12`, `tenant_globex`, `'globex'` and
/// `%2Fglobex%2F` (URL-encoded) are all replaced, as are ids right after a JSON escape (`\nglobex`).
/// Matching ignores ASCII case (`Globex.Example.com`). The bundle's own tenant is matched too, and
/// kept, so an id that contains another (`acme-eu` beside `acme`) is never cut in half: the
/// longest id at a position wins.
public struct Pseudonymizer: Sendable {
    public let forTenant: String
    /// Other tenant → its pseudonym.
    public let pseudonyms: [String: String]
    /// Lower-cased needles, longest first, with what replaces them (nil: the own tenant, kept).
    private let needles: [([UInt8], String?)]
    private let lowered: Set<String>
    /// Needles by the hash of their lower-cased bytes, and which lengths occur (per first byte,
    /// the longest): a position costs a few hash steps, not a look at every tenant id. A hostile
    /// response can name tens of thousands of tenants, and a bundle's text names them all.
    private let byHash: [UInt64: [Int]]
    private let lengthOccurs: [Bool]
    private let longestByFirstByte: [Int]

    public init(forTenant: String, pseudonyms: [String: String]) {
        self.forTenant = forTenant
        self.pseudonyms = pseudonyms.filter { $0.key != forTenant && !$0.key.isEmpty }
        var list: [([UInt8], String?)] = self.pseudonyms.map { (Array($0.key.lowercased().utf8), $0.value) }
        if !forTenant.isEmpty { list.append((Array(forTenant.lowercased().utf8), nil)) }
        list.sort { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.0.lexicographicallyPrecedes($1.0) }
        needles = list
        lowered = Set(list.map { String(decoding: $0.0, as: UTF8.self) })
        var byHash: [UInt64: [Int]] = [:]
        var longest = [Int](repeating: 0, count: 256)
        var occurs = [Bool](repeating: false, count: (list.first?.0.count ?? 0) + 1)
        for (k, (needle, _)) in list.enumerated() where !needle.isEmpty {
            var h = Pseudonymizer.hashSeed
            for c in needle { h = Pseudonymizer.hashStep(h, c) }
            byHash[h, default: []].append(k)   // longest first, as `list` is
            longest[Int(needle[0])] = max(longest[Int(needle[0])], needle.count)
            occurs[needle.count] = true
        }
        self.byHash = byHash
        self.lengthOccurs = occurs
        self.longestByFirstByte = longest
    }

    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) static func hashStep(_ h: UInt64, _ c: UInt8) -> UInt64 { (h ^ UInt64(c)) &* 0x100_0000_01b3 }

    /// Pseudonyms for `tenants` other than `forTenant`: those in `existing` are kept (so bundles
    /// for one customer stay consistent over time); new ones get the next free numbers in a
    /// random order, so that a customer who knows the tenant list cannot reverse them (an
    /// alphabetical order would give `globex → tenant-1` away). The mapping is recorded only in
    /// the operator's store. A number whose name is itself a tenant id is skipped.
    public static func assign(forTenant: String, tenants: some Sequence<String>,
                              existing: [String: String] = [:]) -> [String: String] {
        var random = SystemRandomNumberGenerator()
        return assign(forTenant: forTenant, tenants: tenants, existing: existing, using: &random)
    }

    public static func assign<G: RandomNumberGenerator>(forTenant: String, tenants: some Sequence<String>,
                                                        existing: [String: String], using random: inout G) -> [String: String] {
        let all = Set(tenants).subtracting([forTenant, ""])
        var out = existing
        var used = Set(existing.values)
        let lowerTenants = Set(all.map { $0.lowercased() })
        var n = 1
        // Sorted first so that the shuffle alone decides the order (a Set's order is a hash's).
        for t in all.subtracting(existing.keys).sorted().shuffled(using: &random) {
            var name = "tenant-\(n)"
            while used.contains(name) || lowerTenants.contains(name) { n += 1; name = "tenant-\(n)" }
            out[t] = name
            used.insert(name)
            n += 1
        }
        return out
    }

    /// `s` with every other tenant's id replaced by its pseudonym.
    public func apply(_ s: String) -> String {
        guard !pseudonyms.isEmpty else { return s }
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var changed = false
        while i < bytes.count {
            if let (length, replacement) = match(bytes, at: i) {
                if let replacement {
                    out.append(contentsOf: replacement.utf8)
                    changed = true
                } else {
                    out.append(contentsOf: bytes[i..<(i + length)])
                }
                i += length
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : s
    }

    /// Whether `s` names another tenant anywhere (as `apply` would replace it).
    public func mentionsOther(_ s: String) -> Bool {
        guard !pseudonyms.isEmpty else { return false }
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if let (length, replacement) = match(bytes, at: i) {
                if replacement != nil { return true }
                i += length
            } else {
                i += 1
            }
        }
        return false
    }

    /// Whether `s` names the bundle's own tenant.
    public func mentionsOwn(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if let (length, replacement) = match(bytes, at: i) {
                if replacement == nil { return true }
                i += length
            } else {
                i += 1
            }
        }
        return false
    }

    /// Whether `s` is exactly a known tenant id (the own one or another), ignoring ASCII case.
    public func isTenantID(_ s: String) -> Bool { lowered.contains(s.lowercased()) }

    /// The longest needle at `i` that ends at a word boundary (and starts at one).
    private func match(_ b: [UInt8], at i: Int) -> (Int, String?)? {
        let longest = longestByFirstByte[Int(Pseudonymizer.lower(b[i]))]
        guard longest > 0, Pseudonymizer.boundaryBefore(b, i) else { return nil }
        let limit = min(longest, b.count - i)
        // Hashes of every prefix up to the longest needle, then the lengths tried longest first.
        var hashes = [UInt64](repeating: 0, count: limit + 1)
        var h = Pseudonymizer.hashSeed
        for k in 0..<limit {
            h = Pseudonymizer.hashStep(h, Pseudonymizer.lower(b[i + k]))
            hashes[k + 1] = h
        }
        var length = limit
        while length > 0 {
            defer { length -= 1 }
            guard lengthOccurs[length] else { continue }
            let end = i + length
            if end < b.count && Pseudonymizer.isWord(b[end]) { continue }
            guard let candidates = byHash[hashes[length]] else { continue }
            for n in candidates {
                let (needle, replacement) = needles[n]
                guard needle.count == length else { continue }
                var ok = true
                for k in 0..<length where Pseudonymizer.lower(b[i + k]) != needle[k] { ok = false; break }
                if ok { return (length, replacement) }
            }
        }
        return nil
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
    @inline(__always) static func isWord(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }

    /// A word may start here: at the start, after a non-word byte, after a URL escape (`%2F`) or
    /// after a backslash escape (`\n`, `\u002F`).
    static func boundaryBefore(_ b: [UInt8], _ i: Int) -> Bool {
        if i == 0 || !isWord(b[i - 1]) { return true }
        if i >= 3 && b[i - 3] == UInt8(ascii: "%") && isHex(b[i - 2]) && isHex(b[i - 1]) { return true }
        if i >= 2 && b[i - 2] == UInt8(ascii: "\\") && "nrtbf".utf8.contains(b[i - 1]) { return true }
        if i >= 6 && b[i - 6] == UInt8(ascii: "\\") && b[i - 5] == UInt8(ascii: "u")
            && (i - 4..<i).allSatisfy({ isHex(b[$0]) }) { return true }
        return false
    }
}

/// Masks credentials in quoted text: JWTs (the whole token: header, payload and signature; a
/// payload is never decoded and re-encoded), `Bearer`/`Basic` credentials, and the values of keys
/// that name secrets (`authorization`, `password`, `token`, `cookie`, ..., plus the last
/// component of the configured audit token paths).
public struct TokenMasker: @unchecked Sendable {
    public static let mask = "[masked]"
    /// The built-in keys only; for places that print without a config at hand (the dashboard,
    /// `incidents show`), compiled once.
    public static let shared = TokenMasker()
    private let jwt: NSRegularExpression
    private let scheme: NSRegularExpression
    private let keyed: NSRegularExpression

    public init(extraKeys: [String] = []) {
        var keys = ["password", "passwd", "pwd", "secret", "client_secret", "api_key", "apikey", "api-key",
                    "access_token", "refresh_token", "id_token", "token", "auth_token", "session_token",
                    "authorization", "cookie", "set-cookie", "jwt", "bearer"]
        for k in extraKeys where !k.isEmpty && !keys.contains(k.lowercased()) { keys.append(k.lowercased()) }
        let alternatives = keys.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        // swiftlint:disable force_try
        // Any run of base64url characters, dots and ellipses starting like a JWT (`{"` encoded), so
        // the shortened forms findings print (`eyJhbG…OH0.`) go too.
        jwt = try! NSRegularExpression(pattern: #"eyJ[A-Za-z0-9_\-.…]+"#)
        scheme = try! NSRegularExpression(pattern: #"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"#)
        keyed = try! NSRegularExpression(pattern: #"(?i)(?<![A-Za-z0-9_])((?:"# + alternatives
            + #")"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,;&}\]"']+)"#)
    }

    public func apply(_ s: String) -> String {
        guard !s.isEmpty else { return s }
        var text = replace(scheme, in: s) { m, ns in
            ns.substring(with: m.range(at: 1)) + ns.substring(with: m.range(at: 2)) + TokenMasker.mask
        }
        text = replace(jwt, in: text) { _, _ in "[JWT masked]" }
        text = replace(keyed, in: text) { m, ns in
            let value = ns.substring(with: m.range(at: 2))
            let quoted: String
            if value.hasPrefix("\"") { quoted = "\"" + TokenMasker.mask + "\"" }
            else if value.hasPrefix("'") { quoted = "'" + TokenMasker.mask + "'" }
            else { quoted = TokenMasker.mask }
            return ns.substring(with: m.range(at: 1)) + quoted
        }
        return text
    }

    /// Only the credentials themselves (JWTs, `Bearer`/`Basic` values), for printing stored text
    /// to the operator: a store written before tokens were hashed still holds them whole, and
    /// the hashed form (`[jwt sha256:… tenant_id=…]`) stays readable.
    public func applyCredentials(_ s: String) -> String {
        guard s.contains("eyJ") || s.range(of: "bearer", options: .caseInsensitive) != nil
            || s.range(of: "basic", options: .caseInsensitive) != nil else { return s }
        let text = replace(scheme, in: s) { m, ns in
            ns.substring(with: m.range(at: 1)) + ns.substring(with: m.range(at: 2)) + TokenMasker.mask
        }
        return replace(TokenMasker.wholeJWT, in: text) { _, _ in "[JWT masked]" }
    }

    /// A whole JWT (three parts): the tool's own masked form (`eyJhbG…x4Tc`) is left alone.
    private static let wholeJWT = try! NSRegularExpression(pattern: #"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"#)

    private func replace(_ re: NSRegularExpression, in s: String,
                         _ with: (NSTextCheckingResult, NSString) -> String) -> String {
        re.replacingMatches(in: s, with)
    }
}
