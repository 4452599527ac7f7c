import Foundation

/// What a customer's bundle may keep of an audit line of a request that is not the customer's
/// own: an allow-list, not a deny-list, because an audit line can carry anything (a client IP,
/// a user's email, a company name, a salary, a base64 cursor that decodes to `tenant=globex`),
/// and a deny-list only removes what someone thought of.
///
/// Kept: the time, the method, the route and the status (the configured `[audit]` paths), the
/// tenant fields (the caller and response tenants — only values that are tenant ids, and those
/// pseudonymised), and any `[export] safe_fields` path; everything else is dropped. A request is
/// the customer's own when its caller — the configured caller field, else the token's tenant
/// claim (read, not trusted: a forged claim only shows the forger's own line), else the Host
/// through `[identity] host` — is exactly the bundle's tenant.
public struct AuditAllowList: Sendable {
    /// Dotted paths kept as they are (scalars only; an object or array under one is dropped).
    public var safeFields: [String]
    /// Dotted paths whose values are tenant ids (kept pseudonymised; any other value dropped).
    public var tenantFields: [String]
    public var callerField: String
    public var tokenField: String
    public var claim: String
    public var hostField: String
    public var hostPattern: HostPattern?

    public init(audit: Configuration.Audit = Configuration.Audit(), claim: String = "tenant_id",
                hostPattern: String? = nil, extraSafeFields: [String] = []) {
        safeFields = ([audit.time, "method", audit.route, audit.status] + extraSafeFields).filter { !$0.isEmpty }
        tenantFields = [audit.callerTenant, audit.responseTenants].filter { !$0.isEmpty }
        callerField = audit.callerTenant
        tokenField = audit.token
        self.claim = claim
        hostField = audit.host
        self.hostPattern = hostPattern.flatMap { HostPattern($0) }
    }

    /// Whose request the line is, as far as the line says; nil when it does not say.
    func caller(of object: [String: Any]) -> String? {
        if !callerField.isEmpty, let c = AuditAllowList.value(object, callerField) as? String, !c.isEmpty { return c }
        if let raw = AuditAllowList.value(object, tokenField) as? String, let token = try? JWTToken(raw),
           let t = token.tenant(atClaim: claim) {
            return t
        }
        if let host = AuditAllowList.value(object, hostField) as? String, let t = hostPattern?.tenant(forHost: host) { return t }
        return nil
    }

    /// The line reduced to the allow-list (JSON, keys sorted, control characters escaped).
    func allowed(_ object: [String: Any], filter: RowDataFilter) -> String {
        let pseudonymizer = filter.pseudonymizer
        var kept: [String: Any] = [:]
        for path in safeFields {
            guard let v = AuditAllowList.value(object, path), v is String || v is NSNumber || v is NSNull else { continue }
            let shown: Any = (v as? String).map { EncodedMentions.hide(in: filter.text($0), pseudonymizer: pseudonymizer).0 } ?? v
            AuditAllowList.set(&kept, path, shown)
        }
        for path in tenantFields {
            guard let v = AuditAllowList.value(object, path) else { continue }
            if let s = v as? String {
                if pseudonymizer.isTenantID(s) { AuditAllowList.set(&kept, path, pseudonymizer.apply(s)) }
            } else if let list = v as? [Any] {
                AuditAllowList.set(&kept, path, list.compactMap { ($0 as? String).flatMap { pseudonymizer.isTenantID($0) ? pseudonymizer.apply($0) : nil } })
            }
        }
        kept["tenantwatch_redaction"] = "another tenant's request: only " + (safeFields + tenantFields).joined(separator: ", ") + " kept"
        return RowDataFilter.serialize(kept)
    }

    static func value(_ object: [String: Any], _ path: String) -> Any? {
        guard !path.isEmpty else { return nil }
        var current: Any = object
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            // As the audit parser reads paths: the exact key, else one differing in ASCII case
            // (HTTP header names: `Authorization`).
            let key = String(segment)
            guard let o = current as? [String: Any],
                  let next = o[key] ?? o.first(where: { JSONValue.asciiCaseInsensitiveEqual($0.key, key) })?.value else { return nil }
            current = next
        }
        return current
    }

    static func set(_ object: inout [String: Any], _ path: String, _ value: Any) {
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func put(_ o: inout [String: Any], _ k: Int) {
            if k == segments.count - 1 { o[segments[k]] = value; return }
            var child = o[segments[k]] as? [String: Any] ?? [:]
            put(&child, k + 1)
            o[segments[k]] = child
        }
        put(&object, 0)
    }
}

extension RowDataFilter {
    static func jsonObject(_ line: String) -> [String: Any]? {
        guard let data = line.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// A PostgreSQL jsonlog line rather than an application's audit line.
    static func isJSONLog(_ o: [String: Any]) -> Bool {
        o["error_severity"] != nil && o["message"] != nil
    }

    /// JSON with sorted keys through `JSONWriter`, which escapes every control character (C1
    /// included: a `\u009b` read from a line is written back as `\u009b`, never as the raw CSI
    /// byte a terminal acts on — `JSONSerialization` writes it raw).
    static func serialize(_ value: Any) -> String {
        var w = JSONWriter()
        func emit(_ v: Any) {
            switch v {
            case let s as String: w.string(s)
            case let n as NSNumber:
                // JSONSerialization gives booleans as NSNumbers of type `c`/`B` (its numbers are never Int8).
                let type = String(cString: n.objCType)
                if type == "c" || type == "B" { w.bool(n.boolValue) } else { w.rawNumber(n.stringValue) }
            case let a as [Any]:
                w.beginArray(); for x in a { emit(x) }; w.endArray()
            case let o as [String: Any]:
                w.beginObject()
                for k in o.keys.sorted() { w.key(k); emit(o[k]!) }
                w.endObject()
            default: w.null()
            }
        }
        emit(value)
        return w.output
    }
}
