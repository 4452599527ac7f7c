import Crypto
import Foundation

/// Credentials never reach the incident store whole. A JWT in quoted text is kept as a hash plus
/// its claims — `[jwt sha256:1f2e3d4c5b6a7980 alg=HS256 tenant_id=globex sub=user-globex-812
/// exp=1795571648]` — which is what an incident review needs (whose token, which tenant it
/// claimed, that the same token came back), without a bearer credential that still works; any
/// other `Bearer`/`Basic` credential is kept as its hash alone. The hash is SHA-256 (first 16
/// hex digits), so two quotes of one token match each other and `sha256sum` of the token.
///
/// A store written before this still holds tokens: `incidents show`, reports and the dashboard
/// mask them when printing (`TokenMasker`).
public enum StoredSecrets {
    private static let jwt = try! NSRegularExpression(pattern: #"eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*"#)
    private static let scheme = try! NSRegularExpression(pattern: #"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=\-]{12,})"#)

    /// `text` with every JWT and bearer/basic credential replaced (nil stays nil).
    public static func protect(_ text: String?) -> String? { text.map(protect) }

    public static func protect(_ text: String) -> String {
        guard mayHoldCredential(text) else { return text }
        var out = replace(jwt, in: text) { m, ns in describedOnce(jwt: ns.substring(with: m.range)) }
        out = replace(scheme, in: out) { m, ns in
            let credential = ns.substring(with: m.range(at: 3))
            return ns.substring(with: m.range(at: 1)) + ns.substring(with: m.range(at: 2)) + "[sha256:\(hash(credential))]"
        }
        return out
    }

    /// Could `text` hold a JWT or a `Bearer`/`Basic` credential? A filter before the regular
    /// expressions, true whenever they could match: `eyJ`, or `bearer`/`basic` in any case. ASCII
    /// text is searched as bytes (Foundation's case-insensitive search was ~11% of the store's
    /// time under a leak storm, run on every stored text); text with any other byte goes through
    /// Foundation as before, whose case folding also matches non-ASCII letters (`ſ` for `s`).
    static func mayHoldCredential(_ text: String) -> Bool {
        var copy = text
        let ascii = copy.withUTF8 { u -> Bool? in
            var i = 0
            let n = u.count
            while i < n {
                let c = u[i]
                if c >= 0x80 { return nil }
                let lower = c | 0x20
                if c == UInt8(ascii: "e"), i + 2 < n, u[i + 1] == UInt8(ascii: "y"), u[i + 2] == UInt8(ascii: "J") { return true }
                if lower == UInt8(ascii: "b"), matchesFolded(u, i + 1, "earer") || matchesFolded(u, i + 1, "asic") { return true }
                i += 1
            }
            return false
        }
        if let ascii { return ascii }
        return text.contains("eyJ") || text.range(of: "bearer", options: .caseInsensitive) != nil
            || text.range(of: "basic", options: .caseInsensitive) != nil
    }

    private static func matchesFolded(_ u: UnsafeBufferPointer<UInt8>, _ at: Int, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard at + n <= u.count else { return false }
        let l = lower.utf8Start
        for k in 0..<n where u[at + k] | 0x20 != l[k] { return false }
        return true
    }

    /// `describe(jwt:)`, remembered: under a leak storm every stored timeline quotes the caller's
    /// token, and the same few tokens come back thousands of times (decoding and hashing each
    /// was a quarter of the store's time). Bounded: emptied when it reaches 1,024 tokens.
    static func describedOnce(jwt raw: String) -> String {
        descriptions.lock.lock()
        if let hit = descriptions.byToken[raw] { descriptions.lock.unlock(); return hit }
        descriptions.lock.unlock()
        let described = describe(jwt: raw)
        descriptions.lock.lock()
        if descriptions.byToken.count >= 1_024 { descriptions.byToken.removeAll(keepingCapacity: true) }
        descriptions.byToken[raw] = described
        descriptions.lock.unlock()
        return described
    }

    private final class Descriptions: @unchecked Sendable {
        let lock = NSLock()
        var byToken: [String: String] = [:]   // guarded by `lock`
    }
    private static let descriptions = Descriptions()

    /// The first 16 hex digits of the SHA-256 of the token's text.
    public static func hash(_ token: String) -> String {
        String(Digest.sha256(Data(token.utf8)).prefix(16))
    }

    /// `[jwt sha256:H claim=value ...]`: the top-level scalar claims, in the token's order, with
    /// any character that could end the quote (quotes, backslashes, brackets, spaces, controls)
    /// shown as `_`.
    static func describe(jwt raw: String) -> String {
        var parts = ["jwt", "sha256:" + hash(raw)]
        if let token = try? JWTToken(raw) {
            if let alg = token.algorithm { parts.append("alg=" + safe(alg)) }
            if case .object(let members) = token.claims {
                for (k, v) in members.prefix(16) {
                    guard let text = v.scalarText else { continue }
                    parts.append(safe(k) + "=" + safe(String(text.prefix(80))))
                }
            }
        }
        return "[" + parts.joined(separator: " ") + "]"
    }

    private static func safe(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { c in
            c.value < 0x21 || c.value == 0x7F || (0x80..<0xA0).contains(c.value) || "\"\\[]'`".unicodeScalars.contains(c)
                ? "_" : c
        }))
    }

    private static func replace(_ re: NSRegularExpression, in s: String,
                                _ with: (NSTextCheckingResult, NSString) -> String) -> String {
        re.replacingMatches(in: s, with)
    }
}
