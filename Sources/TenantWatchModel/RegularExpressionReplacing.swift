import Foundation

extension NSRegularExpression {
    /// `s` with every match replaced by what `with` makes of it (the match and the whole text),
    /// for replacements that depend on the matched text — masking a token by its hash, say — which
    /// a template string cannot express.
    package func replacingMatches(in s: String, _ with: (NSTextCheckingResult, NSString) -> String) -> String {
        let ns = s as NSString
        let matches = self.matches(in: s, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return s }
        var out = ""
        var last = 0
        for m in matches {
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            out += with(m, ns)
            last = m.range.location + m.range.length
        }
        out += ns.substring(from: last)
        return out
    }
}
