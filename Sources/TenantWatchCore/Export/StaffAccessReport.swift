/// The "Staff access" part of a bundle's report: `privileged_access` findings — members of staff
/// with verified privileges who touched the tenant's data, with who, when, what and why — kept
/// apart from leaks, so the section can be handed to a customer as their access log.
enum StaffAccessReport {
    static let noLeak = "No leak: this incident records staff access only (see Staff access)."

    static func isStaffAccessOnly(_ c: BundleContent) -> Bool {
        !c.kinds.isEmpty && c.kinds.allSatisfy { $0 == .privilegedAccess }
    }

    static func nature(_ c: BundleContent) -> String {
        var s = "No breach: a record of staff access to data of tenant \(c.forTenant) by members of staff with verified privileges (privileged_access)"
        if let a = c.firstSeen, let b = c.lastSeen { s += ", from \(a.rfc3339) to \(b.rfc3339)" }
        return s + "."
    }

    static func section(_ c: BundleContent) -> ReportRenderer.Section? {
        let staff = c.findings.filter { $0.kind == .privilegedAccess }
        guard !staff.isEmpty else { return nil }
        let bullets = staff.map { f -> String in
            var when = f.firstSeen?.rfc3339 ?? "-"
            if let last = f.lastSeen, last != f.firstSeen { when += " to \(last.rfc3339)" }
            let tenants = f.accessedTenants.isEmpty ? "" : " Tenant(s) touched: \(f.accessedTenants.joined(separator: ", "))."
            let tables = f.tables.isEmpty ? "" : " Tables: \(f.tables.joined(separator: ", "))."
            return "\(when) (×\(f.count)): \(f.message).\(tenants)\(tables)"
        }
        return ReportRenderer.Section(title: "Staff access", paragraphs: [
            "Members of staff whose tokens were verified as privileged (support, administration) accessed this data: "
                + "who (the token's subject, or the actor of an impersonation), when, through which route and, where the token gave one, why. "
                + "These are access records, not leaks; a support session impersonating one tenant that touched another is reported as a leak instead.",
        ], bullets: bullets)
    }
}
