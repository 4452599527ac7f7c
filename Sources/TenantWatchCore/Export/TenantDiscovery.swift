import Foundation

/// Tenant ids that the quoted evidence names but the store may not know (a bystander tenant
/// whose rows an unconfined statement returned, say), so they are pseudonymised too: hosts that
/// match `[identity] host`, the values of JSON fields named like `tenant` (`tenant_ids`,
/// `"tenant":"x"`), literals compared with a tenant column (`tenant_id = 'x'`, `IN ('x', 'y')`)
/// and sqlcommenter/URL `tenant='x'` pairs. Over-collecting is harmless: an id that is not a
/// tenant is merely renamed.
public enum TenantDiscovery {
    private static let host = try! NSRegularExpression(pattern: #"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"#)
    private static let jsonField = try! NSRegularExpression(
        pattern: #""[A-Za-z_]*tenant[A-Za-z_]*"\s*:\s*(\[[^\]]*\]|"[^"]*")"#, options: [.caseInsensitive])
    private static let quoted = try! NSRegularExpression(pattern: #""((?:[^"\\]|\\.)*)""#)
    private static let literal = try! NSRegularExpression(pattern: #"'((?:[^']|'')*)'"#)

    public static func tenants(in texts: [String], columns: [String], hostPattern: String?) -> Set<String> {
        var out = Set<String>()
        let pattern = hostPattern.flatMap { HostPattern($0) }
        let names = (columns + ["tenant", "tenant_id"]).map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        let column = try? NSRegularExpression(
            pattern: #"(?i)\b(?:[A-Za-z_][A-Za-z0-9_]*\.)?(?:"# + names + #")\s*(?:=|\bIN\b)\s*\(?\s*('(?:[^']|'')*'(?:\s*,\s*'(?:[^']|'')*')*)"#)
        for text in texts {
            let ns = text as NSString
            let all = NSRange(location: 0, length: ns.length)
            if let pattern {
                for m in host.matches(in: text, range: all) {
                    if let t = pattern.tenant(forHost: ns.substring(with: m.range)), !t.isEmpty { out.insert(t) }
                }
            }
            for m in jsonField.matches(in: text, range: all) {
                let value = ns.substring(with: m.range(at: 1))
                let vs = value as NSString
                for q in quoted.matches(in: value, range: NSRange(location: 0, length: vs.length)) {
                    let s = vs.substring(with: q.range(at: 1))
                    if !s.isEmpty && s.count <= 128 { out.insert(s) }
                }
            }
            if let column {
                for m in column.matches(in: text, range: all) {
                    let list = ns.substring(with: m.range(at: 1))
                    let ls = list as NSString
                    for l in literal.matches(in: list, range: NSRange(location: 0, length: ls.length)) {
                        let s = ls.substring(with: l.range(at: 1)).replacingOccurrences(of: "''", with: "'")
                        if !s.isEmpty && s.count <= 128 { out.insert(s) }
                    }
                }
            }
        }
        return out
    }

    /// Every stored text of an incident that may name a tenant.
    public static func texts(of d: IncidentDetail) -> [String] {
        var out: [String] = []
        for e in d.timeline {
            out.append(e.summary)
            if let r = e.raw { out.append(r) }
            out.append(contentsOf: e.bindValues.compactMap { $0 })
        }
        for f in d.findings {
            out.append(f.message)
            if let s = f.statement { out.append(s) }
            if let k = f.cacheKey { out.append(k) }
        }
        return out
    }
}
