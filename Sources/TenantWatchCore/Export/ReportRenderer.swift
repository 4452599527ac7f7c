import TenantWatchModel

/// `report.md` and `report.html` (self-contained: inline CSS, the timeline as inline SVG, no
/// external asset of any kind), from the filtered view only.
public enum ReportRenderer {
    struct Section { var title: String; var paragraphs: [String]; var bullets: [String] }

    static func explanation(_ k: FindingKind) -> String {
        switch k {
        case .missingTenantPredicate: return "a statement read or wrote a tenant-owned table without confining it to one tenant"
        case .crossTenantQuery: return "a statement was confined to a tenant other than its caller's, or to several tenants"
        case .crossTenantResponse: return "a response carried data of a tenant other than the caller's"
        case .tokenHostMismatch: return "a request's token named a different tenant than the host it was sent to"
        case .tenantContextMismatch: return "a database session kept another tenant's setting, so row-level security filtered for the wrong tenant"
        case .unscopedCacheKey: return "a cache key holding tenant data carried no tenant, so one tenant's entry could be served to another"
        case .unresolvedTenant: return "a request was answered although no tenant could be resolved for it"
        case .refreshTokenReuse: return "a refresh token was presented again after it had been rotated"
        case .unsignedToken: return "a token without a valid signature was accepted"
        case .logForgery: return "a log line was forged or injected"
        case .suspectedCrossTenantResponse: return "a response may have carried another tenant's cached data; the tie is inferred, not proven"
        case .unjudgedStatement: return "a statement on tenant-owned data could not be judged (too large, cut, or not parseable)"
        case .unconfinedChildAccess: return "a table that belongs to a tenant through its parent rows was reached by its own keys alone, so any tenant's row could be read or changed"
        case .privilegedAccess: return "a member of staff with verified privileges (support, administration) accessed the tenant's data; this is an access record, not a leak"
        case .unguardedInternalRoute: return "an internal endpoint meant for staff served a caller without staff privileges, or read data of every tenant for one"
        case .unscopedSearch: return "a search on an index holding tenant documents was not confined to one tenant, so any tenant's documents could be returned"
        case .crossTenantSearch: return "a search was confined to a tenant other than its caller's, or to several tenants"
        }
    }

    static func sections(_ c: BundleContent) -> [Section] {
        var out: [Section] = []
        let window = "\(c.firstSeen?.rfc3339 ?? "unknown") to \(c.lastSeen?.rfc3339 ?? "unknown")"
        out.append(Section(title: "Summary", paragraphs: [
            "\(Art33Summary.nature(c))",
            "Incident \(c.incidentID), severity \(c.severity.rawValue), state \(c.state.rawValue). \(c.findingCount) finding(s), \(c.occurrences) occurrence(s), \(c.requestCount) request(s) affected.",
        ], bullets: []))
        // Staff access is listed in its own section, apart from leaks (`StaffAccessReport`).
        var what = c.kinds.filter { $0 != .privilegedAccess }.map { "`\($0.rawValue)`: \(explanation($0))." }
        what += c.findings.filter { $0.kind != .privilegedAccess }
            .map { "\($0.firstSeen?.rfc3339 ?? "-"): \($0.kind.rawValue) (\($0.severity.rawValue), ×\($0.count)): \($0.message)" }
        if what.isEmpty { what.append(StaffAccessReport.noLeak) }
        out.append(Section(title: "What happened", paragraphs: [], bullets: what))
        if let staff = StaffAccessReport.section(c) { out.append(staff) }
        var exposed: [String] = []
        exposed.append("Caller tenant: \(c.callerTenant ?? "unknown"); exposed tenant(s): \(c.exposedTenants.isEmpty ? "none named" : c.exposedTenants.joined(separator: ", ")).")
        if !c.tables.isEmpty { exposed.append("Tables: \(c.tables.joined(separator: ", ")).") }
        if !c.cacheKeys.isEmpty { exposed.append("Cache keys: \(c.cacheKeys.joined(separator: ", ")).") }
        if !c.requests.isEmpty {
            exposed.append("Requests: " + c.requests.map { [$0.requestID, $0.route].compactMap { $0 }.joined(separator: " ") }.joined(separator: "; ") + ".")
        }
        exposed.append(c.objectsInAffectedResponses.map { "Items in the affected responses (audit log, including the caller's own): \($0)." }
                       ?? "The logs do not record how many rows or objects were exposed.")
        out.append(Section(title: StaffAccessReport.isStaffAccessOnly(c) ? "What was accessed" : "What was exposed", paragraphs: [], bullets: exposed))
        var cause = c.statements.map { "Statement\($0.fingerprint.map { " `\($0)`" } ?? ""): `\($0.text.replacingOccurrences(of: "`", with: "'"))`\($0.rowDataCut ? " (row data of another tenant removed)" : "")" }
        for e in c.events where e.kind == .sessionSetting || e.kind == .response || e.kind == .cacheCommand {
            cause.append("\(e.time?.rfc3339 ?? "-") \(e.kind.rawValue): \(e.summary)")
        }
        if cause.isEmpty { cause.append("The evidence names no statement; see the timeline and evidence/.") }
        out.append(Section(title: "Root cause as the evidence shows it", paragraphs: [], bullets: cause))
        out.append(Section(title: "When it started and stopped", paragraphs: [
            "First seen \(c.firstSeen?.rfc3339 ?? "unknown"), last seen \(c.lastSeen?.rfc3339 ?? "unknown") (\(window)); the incident is \(c.state.rawValue).",
        ], bullets: []))
        out.append(Section(title: "Incident notes", paragraphs: c.notes.isEmpty ? ["(none)"] : [],
                           bullets: c.notes.map { "\($0.time.rfc3339) \($0.author): \($0.text)" }))
        return out
    }

    public static func markdown(_ c: BundleContent) -> String {
        var s = "# Incident \(c.incidentID): \(c.title)\n\n"
        s += "Evidence bundle for tenant **\(c.forTenant)**. Other tenants are named by pseudonym (`tenant-N`); their row data is removed.\n\n"
        for sec in sections(c) {
            s += "## \(sec.title)\n\n"
            for p in sec.paragraphs { s += p + "\n\n" }
            for b in sec.bullets { s += "- " + b.replacingOccurrences(of: "\n", with: " ") + "\n" }
            if !sec.bullets.isEmpty { s += "\n" }
        }
        s += "## Timeline\n\n| time | kind | source | summary |\n| --- | --- | --- | --- |\n"
        for e in c.events {
            let at = e.source.map { "\($0):\(e.line ?? 0)" } ?? "-"
            s += "| \(e.time?.rfc3339 ?? "-") | \(e.kind.rawValue) | \(at) | \(e.summary.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        s += "\nThe quoted log lines are in `evidence/`; every file's SHA-256 is in `manifest.json`.\n"
        // Logged values (statements, routes, tenant ids) are attacker-controlled: a report read
        // with `cat` must not hand their escape sequences to the terminal.
        return TextSanitizer.keepingLines(s)
    }

    public static func html(_ c: BundleContent) -> String {
        var s = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Incident \(esc(c.incidentID))</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
        code,td.mono{font-family:ui-monospace,monospace;font-size:.9em}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
        svg{width:100%;height:auto;border:1px solid #ddd}
        </style></head><body>
        <h1>Incident \(esc(c.incidentID)): \(esc(c.title))</h1>
        <p>Evidence bundle for tenant <strong>\(esc(c.forTenant))</strong>. Other tenants are named by pseudonym (<code>tenant-N</code>); their row data is removed.</p>

        """
        for sec in sections(c) {
            s += "<h2>\(esc(sec.title))</h2>\n"
            for p in sec.paragraphs { s += "<p>\(esc(p))</p>\n" }
            if !sec.bullets.isEmpty { s += "<ul>\n" + sec.bullets.map { "<li>\(esc($0))</li>\n" }.joined() + "</ul>\n" }
        }
        s += "<h2>Timeline</h2>\n" + svg(c) + "\n<table><tr><th>time</th><th>kind</th><th>source</th><th>summary</th></tr>\n"
        for e in c.events {
            let at = e.source.map { "\($0):\(e.line ?? 0)" } ?? "-"
            s += "<tr><td class=\"mono\">\(esc(e.time?.rfc3339 ?? "-"))</td><td>\(esc(e.kind.rawValue))</td><td class=\"mono\">\(esc(at))</td><td>\(esc(e.summary))</td></tr>\n"
        }
        s += "</table>\n<p>The quoted log lines are in <code>evidence/</code>; every file's SHA-256 is in <code>manifest.json</code>.</p>\n</body></html>\n"
        return s
    }

    static let colors: [TimelineEntry.Kind: String] = [
        .request: "#1f77b4", .statement: "#2ca02c", .sessionSetting: "#9467bd",
        .cacheCommand: "#8c564b", .response: "#ff7f0e", .finding: "#d62728",
    ]

    /// The timed events on one axis, one row per kind, each a circle with its summary as a tooltip.
    public static func svg(_ c: BundleContent) -> String {
        let timed = c.events.filter { $0.time != nil }
        let kinds = TimelineEntry.Kind.allCases
        let width = 800, left = 130, right = 20, rowHeight = 24, top = 20
        let height = top + rowHeight * kinds.count + 40
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"incident timeline\">\n"
        let t0 = timed.map { $0.time!.microseconds }.min() ?? 0
        let t1 = timed.map { $0.time!.microseconds }.max() ?? 0
        let span = Double(max(t1 - t0, 1))
        let plot = Double(width - left - right)
        for (row, k) in kinds.enumerated() {
            let y = top + row * rowHeight + rowHeight / 2
            s += "<text x=\"4\" y=\"\(y + 4)\" font-size=\"11\" font-family=\"sans-serif\">\(esc(k.rawValue))</text>"
            s += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\" stroke=\"#eee\"/>\n"
        }
        for e in timed {
            guard let row = kinds.firstIndex(of: e.kind) else { continue }
            let x = t1 == t0 ? Double(left) + plot / 2 : Double(left) + Double(e.time!.microseconds - t0) / span * plot
            let y = top + row * rowHeight + rowHeight / 2
            s += "<circle cx=\"\(Int(x.rounded()))\" cy=\"\(y)\" r=\"5\" fill=\"\(colors[e.kind] ?? "#333")\"><title>\(esc(e.time!.rfc3339 + " " + e.summary))</title></circle>\n"
        }
        let axis = top + rowHeight * kinds.count + 14
        s += "<text x=\"\(left)\" y=\"\(axis)\" font-size=\"11\" font-family=\"sans-serif\">\(esc(timed.isEmpty ? "no timed events" : Timestamp(microseconds: t0).rfc3339))</text>"
        if t1 != t0 {
            s += "<text x=\"\(width - right)\" y=\"\(axis)\" font-size=\"11\" font-family=\"sans-serif\" text-anchor=\"end\">\(esc(Timestamp(microseconds: t1).rfc3339))</text>"
        }
        s += "\n</svg>"
        return s
    }

    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Controls (C0, DEL, C1) and bidi overrides shown as their escapes: never acted on
                // by a browser's layout or by a terminal that `cat`s the file.
                if ch != "\n", ch != "\t", let shown = TextSanitizer.escaped(ch) { out += shown } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
