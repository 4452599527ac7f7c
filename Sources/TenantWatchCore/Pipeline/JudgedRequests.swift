import DequeModule
import TenantWatchModel

/// Requests already judged, kept for one correlation window of log time so a cache read that
/// arrives after its request's audit line (a Redis log written behind the others, in `live`)
/// can still be judged with it. Only kept when a cache source is read.
struct JudgedRequests {
    private var byKey: [String: (request: AuditRequest, statements: [SourcePosition])] = [:]
    private var order: Deque<(key: String, time: Int64)> = []
    /// Requests that already have a `cross_tenant_response` finding.
    private var reported: Set<String> = []

    static func keys(_ requestID: String?, _ traceID: String?) -> [String] {
        var out: [String] = []
        if let r = requestID, !r.isEmpty { out.append("r:" + r) }
        if let t = traceID, !t.isEmpty { out.append("t:" + t) }
        return out
    }

    mutating func remember(_ request: AuditRequest, statements: [SourcePosition], now: Int64, window: Int64) {
        let time = request.time?.microseconds ?? now
        for key in JudgedRequests.keys(request.requestID, request.traceID) {
            byKey[key] = (request, statements)
            order.append((key, time))
        }
        let cutoff = now &- window
        while let first = order.first, first.time < cutoff || order.count > 200_000 {
            order.removeFirst()
            if let kept = byKey[first.key], (kept.request.time?.microseconds ?? first.time) <= first.time {
                byKey.removeValue(forKey: first.key)
                reported.remove(first.key)
            }
        }
    }

    func lookup(_ context: RequestContext) -> (request: AuditRequest, statements: [SourcePosition])? {
        for key in JudgedRequests.keys(context.requestID, context.traceID) {
            if let found = byKey[key] { return found }
        }
        return nil
    }

    mutating func markReported(_ request: AuditRequest) {
        for key in JudgedRequests.keys(request.requestID, request.traceID) { reported.insert(key) }
    }

    func wasReported(_ request: AuditRequest) -> Bool {
        JudgedRequests.keys(request.requestID, request.traceID).contains { reported.contains($0) }
    }
}
