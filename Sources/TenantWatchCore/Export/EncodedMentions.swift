import Foundation

/// Another tenant's id hidden in base64 (a pagination cursor `dGVuYW50PWdsb2JleA==` is
/// `tenant=globex`): whole-word matching cannot see it, so runs of base64 or base64url text in a
/// quoted line are decoded, and a run whose decoded text names another tenant is removed.
struct EncodedMentions {
    static let marker = "[encoded data of another tenant removed]"
    /// At least 12 characters (9 bytes): shorter runs are words and ids, not payloads.
    private static let run = try! NSRegularExpression(pattern: #"[A-Za-z0-9+/_\-]{12,}={0,2}"#)

    /// `text` with every such run replaced, and whether any was.
    static func hide(in text: String, pseudonymizer: Pseudonymizer) -> (String, Bool) {
        guard !pseudonymizer.pseudonyms.isEmpty else { return (text, false) }
        let ns = text as NSString
        let matches = run.matches(in: text, range: NSRange(location: 0, length: ns.length))
        var out = ""
        var last = 0
        var changed = false
        for m in matches {
            let candidate = ns.substring(with: m.range)
            guard let decoded = decode(candidate), pseudonymizer.mentionsOther(decoded) else { continue }
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last)) + marker
            last = m.range.location + m.range.length
            changed = true
        }
        guard changed else { return (text, false) }
        return (out + ns.substring(from: last), true)
    }

    /// Standard or URL-safe base64, padding optional; nil unless it decodes to UTF-8 text.
    static func decode(_ s: String) -> String? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        t = t.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        while t.count % 4 != 0 { t += "=" }
        guard let data = Data(base64Encoded: t) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
