/// Reads request context from a Redis connection's `CLIENT SETNAME`.
///
/// Client names cannot hold spaces, so applications write sqlcommenter-style tags there
/// (`request_id='req-7',traceparent='00-...-01'`), the legacy `request_id:req-7`, or plain
/// `request_id=req-7`. A bare trace id or traceparent is accepted too.
public enum CacheClientName {
    public static func tags(_ name: String) -> StatementTags {
        let parsed = SQLCommenter.parse(name)
        if !parsed.isEmpty { return StatementTags(values: parsed) }
        var values: [String: String] = [:]
        for pair in name.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[parts[0].lowercased()] = SQLCommenter.percentDecode(String(parts[1]))
        }
        if values.isEmpty, TraceContext.traceID(from: name) != nil { values["traceparent"] = name }
        return StatementTags(values: values)
    }
}
