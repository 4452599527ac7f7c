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

    /// `nil` when the pattern has no `{tenant}`.
    public init?(_ pattern: String, reserved: Set<String> = ["www"]) {
        guard let r = pattern.range(of: "{tenant}") else { return nil }
        prefix = String(pattern[..<r.lowerBound]).lowercased()
        suffix = String(pattern[r.upperBound...]).lowercased()
        self.reserved = reserved
    }

    /// `Acme.Example.com:8443` → `acme.example.com`; `[::1]:80` → `::1`. Empty → nil.
    public static func normalize(host raw: String) -> String? {
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

    /// The tenant named by an already normalized host, or nil.
    public func tenant(forNormalizedHost host: String) -> String? {
        guard host.count > prefix.count + suffix.count, host.hasPrefix(prefix), host.hasSuffix(suffix) else { return nil }
        let label = host.dropFirst(prefix.count).dropLast(suffix.count)
        guard !label.isEmpty, !label.contains("."), !reserved.contains(String(label)) else { return nil }
        return String(label)
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
