/// `art33.json`: the facts a GDPR Art. 33(3) notification needs, as far as the logs show them.
///
/// (a) nature of the breach, categories and approximate numbers of data subjects and records;
/// (b) the DPO's contact; (c) likely consequences; (d) measures taken or proposed. (c) and (d) come
/// from the incident's notes: a note starting with `consequences:` (or `impact:`) and one starting
/// with `measures:` (or `mitigation:`). What the logs cannot tell is `"TO BE COMPLETED"`, and
/// every such field is listed under `to_be_completed`.
public enum Art33Summary {
    public static let toBeCompleted = "TO BE COMPLETED"

    public static func notes(_ c: BundleContent, prefixes: [String]) -> [String] {
        c.notes.compactMap { n in
            let lower = n.text.lowercased()
            for p in prefixes where lower.hasPrefix(p) {
                let rest = n.text.dropFirst(p.count).trimmingCharacters(in: .whitespaces)
                return rest.isEmpty ? nil : rest
            }
            return nil
        }
    }

    public static func consequences(_ c: BundleContent) -> [String] { notes(c, prefixes: ["consequences:", "consequence:", "impact:"]) }
    public static func measures(_ c: BundleContent) -> [String] { notes(c, prefixes: ["measures:", "measure:", "mitigation:"]) }

    public static func nature(_ c: BundleContent) -> String {
        if StaffAccessReport.isStaffAccessOnly(c) { return StaffAccessReport.nature(c) }
        var s = "Confidentiality breach: data of tenant \(c.forTenant)"
        if c.callerTenant == c.forTenant {
            s = "Confidentiality breach: tenant \(c.forTenant) received data of " + (c.exposedTenants.isEmpty ? "another tenant" : c.exposedTenants.joined(separator: ", "))
        } else if let caller = c.callerTenant {
            s += " was disclosed to \(caller)"
        } else {
            s += " was exposed across tenants"
        }
        s += " (" + c.kinds.map(\.rawValue).joined(separator: ", ") + ")"
        if let a = c.firstSeen, let b = c.lastSeen { s += ", from \(a.rfc3339) to \(b.rfc3339)" }
        return s + "."
    }

    public static func json(_ c: BundleContent) -> String {
        var missing: [String] = []
        var w = JSONWriter()
        w.beginObject()
        w.field("regulation", "GDPR Art. 33(3)")
        w.field("incident", c.incidentID)
        w.field("for_tenant", c.forTenant)
        w.key("nature_of_breach")
        w.beginObject()
        w.field("description", nature(c))
        w.field("type", "confidentiality")
        w.field("kinds", c.kinds.map(\.rawValue))
        w.field("severity", c.severity.rawValue)
        w.field("first_seen", c.firstSeen?.rfc3339)
        w.field("last_seen", c.lastSeen?.rfc3339)
        w.field("ongoing", c.state != .resolved ? "not resolved in the incident store" : "resolved")
        w.endObject()
        w.key("data_subjects")
        w.beginObject()
        w.field("categories", toBeCompleted); missing.append("data_subjects.categories")
        w.field("approximate_number", toBeCompleted); missing.append("data_subjects.approximate_number")
        w.endObject()
        w.key("personal_data_records")
        w.beginObject()
        let categories = c.tables.map { "table \($0)" } + c.cacheKeys.map { "cache key \($0)" }
        w.field("categories", categories.isEmpty ? [toBeCompleted] : categories)
        if categories.isEmpty { missing.append("personal_data_records.categories") }
        w.key("approximate_number")
        if let n = c.objectsInAffectedResponses { w.int(n) } else { w.string(toBeCompleted); missing.append("personal_data_records.approximate_number") }
        w.field("basis", c.objectsInAffectedResponses == nil
                ? "the logs do not record row counts; occurrences of the leak: \(c.occurrences)"
                : "items in the affected responses per the audit log (an upper bound); occurrences of the leak: \(c.occurrences)")
        w.field("requests_affected", c.requestCount)
        w.endObject()
        let cons = consequences(c), meas = measures(c)
        w.key("likely_consequences")
        if cons.isEmpty { w.string(toBeCompleted); missing.append("likely_consequences") } else { w.strings(cons) }
        w.key("measures_taken_or_proposed")
        if meas.isEmpty { w.string(toBeCompleted); missing.append("measures_taken_or_proposed") } else { w.strings(meas) }
        w.field("dpo_contact", toBeCompleted); missing.append("dpo_contact")
        w.field("to_be_completed", missing)
        w.endObject()
        return w.output + "\n"
    }
}
