import TenantWatchModel

/// Makes an incident's timeline entries from a finding and what the correlator knew around it:
/// the statement it came from (its request, session tenant, bind values) or the request (its
/// statements, its response). Pure: no files are read here (see `TimelineQuoter` for raw lines).
public enum TimelineBuilder {
    /// A statement finding: the request that issued it, the backend's session tenant, the
    /// statement with its bind values, and the finding.
    public static func entries(for finding: Finding, statement s: AnalyzedStatement) -> [TimelineEntry] {
        var out: [TimelineEntry] = []
        let e = s.execution
        if let r = s.request {
            out.append(TimelineEntry(kind: .request, time: r.time, position: r.position,
                                     summary: requestSummary(route: r.route, host: r.host, caller: r.caller,
                                                             requestID: r.requestID, traceID: r.traceID)))
        }
        if let tenant = s.sessionTenant {
            // The line that set it, when the log showed it; else the statement that ran under it.
            out.append(TimelineEntry(kind: .sessionSetting, time: s.sessionOrigin != nil ? s.sessionOriginTime : e.time,
                                     position: s.sessionOrigin ?? e.position,
                                     summary: "backend \(e.backend) session tenant: \(tenant)"
                                        + (s.sessionOrigin == nil ? " (set before the log begins)" : "")))
        }
        var what = "\(s.command)"
        if !s.tables.isEmpty { what += " on " + s.tables.joined(separator: ", ") }
        what += " by backend \(e.backend)"
        if let app = s.application { what += " (\(app))" }
        if e.failed { what += ", failed" }
        out.append(TimelineEntry(kind: .statement, time: e.time, position: e.position,
                                 summary: TextSanitizer.oneLine(what), raw: e.sql, bindValues: e.parameters))
        out.append(findingEntry(finding))
        return out
    }

    /// A request finding: the request, the statements it ran (positions), its response, the finding.
    public static func entries(for finding: Finding, request r: AuditRequest, statements: [SourcePosition] = [],
                               statementTimes: [Timestamp?] = [],
                               cacheChains: [CacheWriterLedger.PoisonedRead] = []) -> [TimelineEntry] {
        var out: [TimelineEntry] = []
        out.append(TimelineEntry(kind: .request, time: r.time, position: r.position,
                                 summary: requestSummary(route: r.route, host: r.host, caller: r.caller,
                                                         requestID: r.requestID, traceID: r.traceID)))
        for (i, p) in statements.enumerated() {
            out.append(TimelineEntry(kind: .statement, time: i < statementTimes.count ? statementTimes[i] : nil, position: p,
                                     summary: "statement of request \(r.requestID ?? r.traceID ?? "?")"))
        }
        // A poisoned cache read: the writing request, its SET and this request's GET — the chain
        // that proves whose data was served.
        for chain in cacheChains {
            let w = chain.writer
            out.append(TimelineEntry(kind: .request, time: w.request.time, position: w.request.position,
                                     summary: requestSummary(route: w.request.route, host: w.request.host, caller: w.request.caller,
                                                             requestID: w.request.requestID, traceID: w.request.traceID)))
            out.append(TimelineEntry(kind: .cacheCommand, time: Timestamp(microseconds: w.time), position: w.command,
                                     summary: TextSanitizer.oneLine("write of cache key \(chain.key) while serving \(w.tenant)")))
            out.append(TimelineEntry(kind: .cacheCommand, time: chain.readTime == 0 ? nil : Timestamp(microseconds: chain.readTime),
                                     position: chain.read,
                                     summary: TextSanitizer.oneLine("read of cache key \(chain.key) while serving \(chain.reader.callerTenant ?? "?") (\(chain.readTie.rawValue) tie)")))
        }
        var response = "response"
        if let status = r.status { response += " \(status)" }
        response += r.responseTenants.isEmpty ? ", no tenant data" : " carried tenants " + r.responseTenants.joined(separator: ", ")
        out.append(TimelineEntry(kind: .response, time: r.time, position: r.position, summary: TextSanitizer.oneLine(response)))
        out.append(findingEntry(finding))
        return out
    }

    /// Any finding without richer context: its evidence lines, and the finding.
    public static func entries(for finding: Finding, evidenceTimes: [SourcePosition: Timestamp] = [:]) -> [TimelineEntry] {
        let kind: TimelineEntry.Kind = finding.kind == .unscopedCacheKey ? .cacheCommand : .statement
        var out: [TimelineEntry] = []
        for (i, p) in finding.evidence.enumerated() {
            let what = finding.kind == .unscopedCacheKey ? "cache command on \(finding.cacheKey ?? "a key")" : "evidence line"
            // The first evidence line is the first sighting: its time is the finding's.
            out.append(TimelineEntry(kind: kind, time: evidenceTimes[p] ?? (i == 0 ? finding.time : nil), position: p,
                                     summary: TextSanitizer.oneLine(what)))
        }
        out.append(findingEntry(finding))
        return out
    }

    public static func findingEntry(_ f: Finding) -> TimelineEntry {
        TimelineEntry(kind: .finding, time: f.time, position: f.evidence.first,
                      summary: TextSanitizer.oneLine("\(f.kind.rawValue): \(f.message)"))
    }

    static func requestSummary(route: String?, host: String?, caller: CallerIdentity,
                               requestID: String?, traceID: String?) -> String {
        var s = "request"
        if let id = requestID ?? traceID { s += " \(id)" }
        if let route { s += " \(route)" }
        if let host { s += " host \(host)" }
        if let t = caller.tenant ?? caller.claimedTenant { s += " caller \(t)" }
        if caller.verification == .invalid { s += " (token invalid\(caller.reason.map { ": " + $0 } ?? ""))" }
        return TextSanitizer.oneLine(s)
    }
}
