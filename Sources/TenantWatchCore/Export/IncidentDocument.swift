import TenantWatchModel

/// `incident.json` and `timeline.ndjson` of a bundle, from the filtered view only.
public enum IncidentDocument {
    public static func json(_ c: BundleContent) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("incident", c.incidentID)
        w.field("for_tenant", c.forTenant)
        w.field("title", c.title)
        w.field("kinds", c.kinds.map(\.rawValue))
        w.field("severity", c.severity.rawValue)
        w.field("state", c.state.rawValue)
        w.field("caller_tenant", c.callerTenant)
        w.field("exposed_tenants", c.exposedTenants)
        w.field("first_seen", c.firstSeen?.rfc3339)
        w.field("last_seen", c.lastSeen?.rfc3339)
        w.key("requests")
        w.beginArray()
        for r in c.requests {
            w.beginObject()
            w.field("request_id", r.requestID)
            w.field("trace_id", r.traceID)
            w.field("route", r.route)
            w.endObject()
        }
        w.endArray()
        w.key("statements")
        w.beginArray()
        for s in c.statements {
            w.beginObject()
            w.field("statement", s.text)
            w.field("fingerprint", s.fingerprint)
            w.field("application", s.application)
            w.key("row_data_cut"); w.bool(s.rowDataCut)
            w.endObject()
        }
        w.endArray()
        w.field("tables", c.tables)
        w.field("applications", c.applications)
        w.field("cache_keys", c.cacheKeys)
        w.key("counts")
        w.beginObject()
        w.field("findings", c.findingCount)
        w.field("occurrences", c.occurrences)
        w.field("requests", c.requestCount)
        w.field("statements", c.statements.count)
        w.field("rows_or_objects_exposed", c.objectsInAffectedResponses)
        w.field("rows_or_objects_basis", c.objectsInAffectedResponses == nil
                ? "not recorded in the logs"
                : "items reported by the audit log for the affected responses (including the caller's own)")
        w.endObject()
        w.key("findings")
        w.beginArray()
        for f in c.findings {
            w.beginObject()
            w.field("kind", f.kind.rawValue)
            w.field("severity", f.severity.rawValue)
            w.field("first_seen", f.firstSeen?.rfc3339)
            w.field("last_seen", f.lastSeen?.rfc3339)
            w.field("count", f.count)
            w.field("caller_tenant", f.callerTenant)
            w.field("accessed_tenants", f.accessedTenants)
            w.field("tables", f.tables)
            w.field("route", f.route)
            w.field("cache_key", f.cacheKey)
            w.field("request_id", f.requestID)
            w.field("message", f.message)
            w.evidence(f.evidence)
            w.endObject()
        }
        w.endArray()
        w.notes(c.notes.map { ($0.time, $0.author, $0.text) })
        w.endObject()
        return w.output + "\n"
    }

    /// One Timesketch event a line: `datetime`, `timestamp_desc`, `message` (required), plus
    /// `timestamp` (µs), `source`, `line`, `kind`, `data_type`. Entries the logs gave no time
    /// (a request's statements quoted by position) take the incident's first-seen time and
    /// `time_estimated: true`.
    public static func timeline(_ c: BundleContent, _ emit: (String) throws -> Void) throws {
        for e in c.events {
            let time = e.time ?? c.firstSeen ?? Timestamp(microseconds: 0)
            var w = JSONWriter()
            w.beginObject()
            w.field("datetime", time.rfc3339)
            w.key("timestamp"); w.int64(time.microseconds)
            w.field("timestamp_desc", description(e.kind))
            w.field("message", e.summary)
            w.field("source", e.source)
            w.field("line", e.line)
            w.field("end_line", e.endLine)
            w.field("kind", e.kind.rawValue)
            w.field("data_type", "tenantwatch:incident:" + e.kind.rawValue)
            w.field("incident", c.incidentID)
            w.key("time_estimated"); w.bool(e.time == nil)
            if let raw = e.raw { w.field("raw", raw) }
            if !e.bindValues.isEmpty {
                w.key("bind_values")
                w.beginArray()
                for v in e.bindValues { w.string(v) }
                w.endArray()
            }
            w.key("row_data_cut"); w.bool(e.rowDataCut)
            w.endObject()
            try emit(w.output + "\n")
        }
    }

    static func description(_ k: TimelineEntry.Kind) -> String {
        switch k {
        case .request: return "Request Time"
        case .statement: return "Statement Time"
        case .sessionSetting: return "Session Setting Time"
        case .cacheCommand: return "Cache Command Time"
        case .response: return "Response Time"
        case .finding: return "Detection Time"
        }
    }
}
