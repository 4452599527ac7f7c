/// `identity.host`: how a request's Host names its tenant, e.g. `{tenant}.example.com`.
///
/// Hosts are compared lower-cased with the port and a trailing dot removed. The tenant is one
/// DNS label: `a.b.example.com` does not match `{tenant}.example.com`, nor do `www.example.com`
/// when `www` is listed in `reserved`, or the apex `example.com`.
public struct HostPattern: Sendable, Equatable {
    public let prefix: String
    public let suffix: String
    /// Labels that are never tenants (default: `www`).
    public var reserved: Set<String>
    private let prefixBytes: [UInt8]
    private let suffixBytes: [UInt8]
    /// Both halves ASCII without a CR: hosts may then be matched as bytes (`asciiTenant`).
    private let affixesArePlainASCII: Bool

    /// `nil` when the pattern has no `{tenant}`.
    public init?(_ pattern: String, reserved: Set<String> = ["www"]) {
        guard let r = pattern.range(of: "{tenant}") else { return nil }
        prefix = String(pattern[..<r.lowerBound]).lowercased()
        suffix = String(pattern[r.upperBound...]).lowercased()
        self.reserved = reserved
        prefixBytes = Array(prefix.utf8)
        suffixBytes = Array(suffix.utf8)
        affixesArePlainASCII = Self.isPlainASCII(prefixBytes) && Self.isPlainASCII(suffixBytes)
    }

    /// `Acme.Example.com:8443` → `acme.example.com`; `[::1]:80` → `::1`. Empty → nil.
    public static func normalize(host raw: String) -> String? {
        if let answer = normalizeASCII(host: raw) { return answer }
        var h = Substring(raw.trimmingASCIIWhitespace())
        if h.hasPrefix("[") {
            // IPv6 literal: the port follows the bracket.
            if let close = h.firstIndex(of: "]") { h = h[h.index(after: h.startIndex)..<close] }
        } else if let colon = h.lastIndex(of: ":"), h.firstIndex(of: ":") == colon {
            h = h[..<colon]
        }
        while h.hasSuffix(".") { h = h.dropLast() }
        guard !h.isEmpty else { return nil }
        return h.lowercased()
    }

    /// `normalize` for an ASCII host without a CR, as bytes (same answer; `.none` for any other
    /// host): the Character-wise trimming, searching and lowercasing cost ~20% of an audit line.
    private static func normalizeASCII(host raw: String) -> String?? {
        let answer = raw.utf8.withContiguousStorageIfAvailable { u -> String?? in
            guard isPlainASCII(u) else { return .none }
            var lo = 0, hi = u.count
            while lo < hi, u[lo] == 0x20 || u[lo] == 0x09 { lo += 1 }
            while hi > lo, u[hi - 1] == 0x20 || u[hi - 1] == 0x09 { hi -= 1 }
            if lo < hi, u[lo] == UInt8(ascii: "[") {
                // IPv6 literal: the port follows the bracket.
                if let close = (lo..<hi).first(where: { u[$0] == UInt8(ascii: "]") }) { lo += 1; hi = close }
            } else if let colon = (lo..<hi).first(where: { u[$0] == UInt8(ascii: ":") }),
                      !((colon + 1)..<hi).contains(where: { u[$0] == UInt8(ascii: ":") }) {
                hi = colon
            }
            while hi > lo, u[hi - 1] == UInt8(ascii: ".") { hi -= 1 }
            guard hi > lo else { return .some(nil) }
            var lower = [UInt8](UnsafeBufferPointer(rebasing: u[lo..<hi]))
            for k in lower.indices where lower[k] >= 0x41 && lower[k] <= 0x5A { lower[k] |= 0x20 }
            return .some(String(decoding: lower, as: UTF8.self))
        }
        return answer ?? .none
    }

    /// The tenant named by an already normalized host, or nil.
    public func tenant(forNormalizedHost host: String) -> String? {
        if let answer = asciiTenant(forNormalizedHost: host) { return answer }
        guard host.count > prefix.count + suffix.count, host.hasPrefix(prefix), host.hasSuffix(suffix) else { return nil }
        let label = host.dropFirst(prefix.count).dropLast(suffix.count)
        guard !label.isEmpty, !label.contains("."), !reserved.contains(String(label)) else { return nil }
        return String(label)
    }

    /// The same answer for an ASCII host (nearly every one), read as bytes: the Character-wise
    /// `count`, `hasPrefix`/`hasSuffix` and substring search above cost ~15% of reading an audit
    /// line. In ASCII without a CR (`"\r\n"` is one Character) bytes and Characters are one to
    /// one, so the answer cannot differ. `.none` leaves anything else to the general path.
    private func asciiTenant(forNormalizedHost host: String) -> String?? {
        guard affixesArePlainASCII else { return .none }
        let answer = host.utf8.withContiguousStorageIfAvailable { h -> String?? in
            guard Self.isPlainASCII(h) else { return .none }
            let p = prefixBytes.count, s = suffixBytes.count
            guard h.count > p + s, h.prefix(p).elementsEqual(prefixBytes), h.suffix(s).elementsEqual(suffixBytes) else {
                return .some(nil)
            }
            let label = UnsafeBufferPointer(rebasing: h[p..<(h.count - s)])
            guard !label.contains(UInt8(ascii: ".")) else { return .some(nil) }
            let tenant = String(decoding: label, as: UTF8.self)
            return reserved.contains(tenant) ? .some(nil) : .some(tenant)
        }
        return answer ?? .none
    }

    private static func isPlainASCII<S: Sequence<UInt8>>(_ bytes: S) -> Bool {
        for c in bytes where c >= 0x80 || c == 0x0D { return false }
        return true
    }

    public func tenant(forHost raw: String) -> String? {
        HostPattern.normalize(host: raw).flatMap(tenant(forNormalizedHost:))
    }
}

extension String {
    func trimmingASCIIWhitespace() -> Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
