import TenantWatchModel

/// Renders stored incidents for `tenantwatch incidents` (table or JSON).
public enum IncidentPrinter {
    public static func write(_ i: StoredIncident, into w: inout JSONWriter, closing: Bool = true) {
        w.beginObject()
        w.field("id", i.id)
        w.field("state", i.state.rawValue)
        w.field("severity", i.severity.rawValue)
        w.field("kinds", i.kinds.map(\.rawValue))
        w.field("caller_tenant", i.callerTenant)
        w.field("exposed_tenants", i.exposedTenants)
        w.field("title", i.title)
        w.field("first_seen", i.firstSeen?.rfc3339)
        w.field("last_seen", i.lastSeen?.rfc3339)
        w.field("finding_count", i.findingCount)
        w.field("occurrences", i.occurrences)
        w.field("state_changed_at", i.stateChangedAt?.rfc3339)
        w.field("state_changed_by", i.stateChangedBy)
        if closing { w.endObject() }
    }

    public static func jsonArray(_ incidents: [StoredIncident]) -> String {
        var w = JSONWriter()
        w.beginArray()
        for i in incidents { write(i, into: &w) }
        w.endArray()
        return w.output + "\n"
    }

    public static func json(_ d: IncidentDetail) -> String {
        var w = JSONWriter()
        write(d.incident, into: &w, closing: false)
        w.key("findings")
        w.beginArray()
        for f in d.findings { FindingPrinter.write(f, into: &w) }
        w.endArray()
        w.key("timeline")
        w.beginArray()
        for e in d.timeline {
            w.beginObject()
            w.field("time", e.time?.rfc3339)
            w.field("kind", e.kind.rawValue)
            w.field("source", e.position?.file)
            w.field("line", e.position?.line)
            w.field("end_line", e.position?.endLine)
            w.field("summary", masked(e.summary))
            w.field("raw", e.raw.map(masked))
            w.key("raw_truncated")
            w.bool(e.rawTruncated)
            w.key("bind_values")
            w.beginArray()
            for v in e.bindValues { w.string(v.map(masked)) }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.notes(d.notes)
        w.endObject()
        return w.output + "\n"
    }

    public static func table(_ incidents: [StoredIncident], width: Int = 160) -> String {
        if incidents.isEmpty { return "no incidents\n" }
        let headers = ["ID", "STATE", "SEVERITY", "KINDS", "CALLER → EXPOSED", "FIRST SEEN", "LAST SEEN", "FINDINGS", "TITLE"]
        let rows = incidents.map { i in
            [i.id, i.state.rawValue, i.severity.rawValue, i.kinds.map(\.rawValue).joined(separator: ","),
             TextSanitizer.oneLine("\(i.callerTenant ?? "-") → \(i.exposedTenants.isEmpty ? "-" : i.exposedTenants.joined(separator: ","))"),
             short(i.firstSeen), short(i.lastSeen), String(i.findingCount), TextSanitizer.oneLine(i.title)]
        }
        return render(headers: headers, rows: rows, width: width)
    }

    /// `incidents show`: the incident, its findings, timeline (with raw text indented) and notes.
    public static func text(_ d: IncidentDetail) -> String {
        let i = d.incident
        var out = "\(i.id)  \(i.severity.rawValue)  \(i.state.rawValue)  \(TextSanitizer.oneLine(i.title))\n"
        out += "kinds: \(i.kinds.map(\.rawValue).joined(separator: ", "))\n"
        out += TextSanitizer.oneLine("caller: \(i.callerTenant ?? "-")  exposed: \(i.exposedTenants.isEmpty ? "-" : i.exposedTenants.joined(separator: ", "))") + "\n"
        out += "seen: \(i.firstSeen?.rfc3339 ?? "-") … \(i.lastSeen?.rfc3339 ?? "-")  findings: \(i.findingCount)  occurrences: \(i.occurrences)\n"
        if let by = i.stateChangedBy { out += "state set by \(TextSanitizer.oneLine(by)) at \(i.stateChangedAt?.rfc3339 ?? "-")\n" }
        out += "\nfindings:\n"
        for f in d.findings {
            out += "  \(f.severity.rawValue) \(f.kind.rawValue) ×\(f.count)  \(TextSanitizer.oneLine(masked(f.message)))\n"
        }
        out += "\ntimeline:\n"
        for e in d.timeline {
            let at = e.position.map { p in p.endLine != p.line ? "\(p.file):\(p.line)-\(p.endLine)" : "\(p.file):\(p.line)" } ?? "-"
            out += "  \(e.time?.rfc3339 ?? "-                       ")  \(e.kind.rawValue)  \(TextSanitizer.oneLine(at))  \(TextSanitizer.oneLine(masked(e.summary)))\n"
            if !e.bindValues.isEmpty {
                out += "      parameters: " + e.bindValues.enumerated().map { "$\($0.offset + 1) = \($0.element.map { "'\(masked($0))'" } ?? "NULL")" }
                    .joined(separator: ", ").sanitizedLine + "\n"
            }
            if let raw = e.raw {
                for line in raw.split(separator: "\n", omittingEmptySubsequences: false).prefix(40) {
                    out += "      │ " + TextSanitizer.oneLine(masked(String(line))) + "\n"
                }
                if e.rawTruncated { out += "      │ … (cut at \(TimelineEntry.rawLimit) bytes)\n" }
            }
        }
        out += "\nnotes:\n"
        if d.notes.isEmpty { out += "  (none)\n" }
        for n in d.notes {
            out += "  \(n.time.rfc3339)  [\(n.visibility.label)] \(TextSanitizer.oneLine(n.author)): \(TextSanitizer.oneLine(n.text))\n"
        }
        return out
    }

    /// Stored text as printed: credentials masked (a store written before tokens were hashed
    /// holds them whole).
    static func masked(_ s: String) -> String { TokenMasker.shared.applyCredentials(s) }

    static func short(_ t: Timestamp?) -> String { t.map { String($0.rfc3339.prefix(19)) + "Z" } ?? "-" }

    static func render(headers: [String], rows: [[String]], width: Int) -> String {
        TextTable.render(headers: headers, rows: rows, width: width)
    }
}

private extension String {
    var sanitizedLine: String { TextSanitizer.oneLine(self) }
}
