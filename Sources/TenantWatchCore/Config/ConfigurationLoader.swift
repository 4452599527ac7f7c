import Foundation
import TOMLKit
import TenantWatchSQL

/// Reads `tenantwatch.toml` into a `Configuration`.
///
/// Unknown keys are errors, not warnings: a misspelt `global_table` silently ignored would turn
/// a shared table into a 3 a.m. page. Every error names its key.
public enum ConfigurationLoader {
    /// The file `--config` defaults to when it exists.
    public static let defaultFileName = "tenantwatch.toml"

    public static func load(path: String) throws -> Configuration {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: "", message: "cannot read the config file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", message: "the config file is not UTF-8")
        }
        return try parse(text, file: path, baseDirectory: url.deletingLastPathComponent().path)
    }

    public static func parse(_ text: String, file: String = "tenantwatch.toml",
                             baseDirectory: String) throws -> Configuration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, key: "", message:
                "TOML syntax error at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        let reader = TableReader(file: file, prefix: "")
        var config = Configuration()
        config.baseDirectory = baseDirectory
        config.file = file
        // `[dashboard]` (named views, the bell) is the dashboard's own: TenantWatchTUI's
        // `DashboardSettings` reads and checks it; `[nats]` (fleet mode) is TenantWatchFleet's `FleetSettings`.
        try reader.allow(root, keys: ["tenancy", "identity", "audit", "cache", "correlation", "source", "export", "dashboard", "store", "search", "nats"])

        if let t = try reader.table(root, "tenancy") {
            let r = TableReader(file: file, prefix: "tenancy.")
            try r.allow(t, keys: ["columns", "schema", "tables", "global_tables", "session_setting", "tenants",
                                 "parents", "caller_table", "caller_key", "caller_tenant_column"])
            if let v = try r.strings(t, "columns") {
                guard !v.isEmpty else { throw r.error("columns", "needs at least one column name") }
                config.tenancy.columns = v
            }
            if let v = try r.string(t, "schema"), !v.isEmpty { config.tenancy.schema = resolve(v, baseDirectory) }
            if let v = try r.strings(t, "tables") { config.tenancy.tables = v }
            if let v = try r.strings(t, "global_tables") { config.tenancy.globalTables = v }
            if let v = try r.string(t, "session_setting") { config.tenancy.sessionSetting = v }
            if t["parents"] != nil {
                guard let parents = try r.table(t, "parents") else { throw r.error("parents", "must be a table") }
                for child in parents.keys.sorted() {
                    // Several foreign keys from one child: an array of such strings.
                    var values: [String] = []
                    if let one = parents[child]?.string {
                        values = [one]
                    } else if let many = parents[child]?.array, many.allSatisfy({ $0.string != nil }) {
                        values = many.compactMap(\.string)
                    } else {
                        throw r.error("parents.\(child)", "must be a string like \"invoice_id -> invoices.id\" (or an array of them)")
                    }
                    for value in values {
                        switch ForeignKey.configured(child: child, value) {
                        case .success(let fk): config.tenancy.parents.append(fk)
                        case .failure(let e): throw r.error("parents.\(child)", e.description)
                        }
                    }
                }
            }
            if let v = try r.string(t, "caller_table") {
                guard !v.trimmingCharacters(in: .whitespaces).isEmpty else { throw r.error("caller_table", "must name a table") }
                config.tenancy.callerTable = v
            }
            if let v = try r.string(t, "caller_key") {
                guard !v.trimmingCharacters(in: .whitespaces).isEmpty else { throw r.error("caller_key", "must name a column") }
                config.tenancy.callerKey = v
            }
            if let v = try r.string(t, "caller_tenant_column") {
                guard !v.trimmingCharacters(in: .whitespaces).isEmpty else { throw r.error("caller_tenant_column", "must name a column") }
                config.tenancy.callerTenantColumn = v
            }
            if config.tenancy.callerTable == nil, config.tenancy.callerKey != nil || config.tenancy.callerTenantColumn != nil {
                throw r.error("caller_table", "caller_key and caller_tenant_column need caller_table (the table holding the caller's row)")
            }
            if let v = try r.strings(t, "tenants") {
                guard !v.contains(where: \.isEmpty) else { throw r.error("tenants", "must not contain an empty name") }
                config.tenancy.tenants = v
            }
        }
        if let t = try reader.table(root, "identity") {
            let r = TableReader(file: file, prefix: "identity.")
            try r.allow(t, keys: Set(["claim", "host", "jwt_secret", "jwt_public_key", "jwks", "leeway_seconds"]).union(PrivilegedPathsConfig.identityKeys))
            if let v = try r.string(t, "claim") { config.identity.claim = v }
            if let v = try r.string(t, "host"), !v.isEmpty {
                guard v.contains("{tenant}") else { throw r.error("host", "must contain {tenant}, e.g. \"{tenant}.example.com\"") }
                config.identity.host = v
            }
            if let v = try r.string(t, "jwt_secret"), !v.isEmpty {
                // RFC 7518 3.2: an HMAC key at least as long as the hash output (and jwt-kit asserts it).
                guard v.utf8.count >= 32 else { throw r.error("jwt_secret", "must be at least 32 bytes (RFC 7518 3.2)") }
                config.identity.jwtSecret = v
            }
            if let v = try r.string(t, "jwt_public_key"), !v.isEmpty { config.identity.jwtPublicKey = resolve(v, baseDirectory) }
            if let v = try r.string(t, "jwks"), !v.isEmpty { config.identity.jwks = resolve(v, baseDirectory) }
            if let v = t["leeway_seconds"] {
                guard let n = v.int, n >= 0 else { throw r.error("leeway_seconds", "must be a non-negative integer") }
                config.identity.leewaySeconds = n
            }
            try PrivilegedPathsConfig.readIdentity(t, into: &config, file: file)
        }
        if let t = try reader.table(root, "audit") {
            let r = TableReader(file: file, prefix: "audit.")
            try r.allow(t, keys: Set(["time", "request_id", "trace", "token", "caller_tenant", "host",
                                  "response_tenants", "route", "refresh_token", "status", "refresh_token_issued"]
                                 + searchAuditKeys).union(PrivilegedPathsConfig.auditKeys))
            if let v = try r.string(t, "time") { config.audit.time = v }
            if let v = try r.string(t, "request_id") { config.audit.requestID = v }
            if let v = try r.string(t, "trace") { config.audit.trace = v }
            if let v = try r.string(t, "token") { config.audit.token = v }
            if let v = try r.string(t, "caller_tenant") { config.audit.callerTenant = v }
            if let v = try r.string(t, "host") { config.audit.host = v }
            if let v = try r.string(t, "response_tenants") { config.audit.responseTenants = v }
            if let v = try r.string(t, "route") { config.audit.route = v }
            if let v = try r.string(t, "refresh_token") { config.audit.refreshToken = v }
            if let v = try r.string(t, "status") { config.audit.status = v }
            if let v = try r.string(t, "refresh_token_issued") { config.audit.refreshTokenIssued = v }
            try PrivilegedPathsConfig.readAudit(t, into: &config, file: file)
            try readAuditSearch(t, r, into: &config)
        }
        if let t = try reader.table(root, "correlation") {
            let r = TableReader(file: file, prefix: "correlation.")
            try r.allow(t, keys: ["window_seconds"])
            if let v = t["window_seconds"] {
                guard let seconds = v.double ?? v.int.map(Double.init), seconds >= 0, seconds <= 86_400 else {
                    throw r.error("window_seconds", "must be a number of seconds between 0 and 86400")
                }
                config.correlation.windowSeconds = seconds
            }
        }
        if let t = try reader.table(root, "export") {
            let r = TableReader(file: file, prefix: "export.")
            try r.allow(t, keys: ["safe_fields"])
            if let v = try r.strings(t, "safe_fields") { config.export.safeFields = v }
        }
        if let t = try reader.table(root, "store") {
            let r = TableReader(file: file, prefix: "store.")
            try r.allow(t, keys: ["url"])
            if let v = try r.string(t, "url") { config.store.url = v }
        }
        if let t = try reader.table(root, "search") {
            try readSearch(t, TableReader(file: file, prefix: "search."), into: &config)
        }
        if let t = try reader.table(root, "cache") {
            let r = TableReader(file: file, prefix: "cache.")
            try r.allow(t, keys: ["allowed"])
            if let v = try r.strings(t, "allowed") { config.cache.allowed = v }
        }
        if let value = root["source"] {
            guard let array = value.array else {
                throw reader.error("source", "must be an array of tables: write [[source]]")
            }
            for (index, element) in array.enumerated() {
                let key = "source[\(index + 1)]"
                guard let t = element.table else { throw reader.error(key, "must be a table") }
                let r = TableReader(file: file, prefix: key + ".")
                try r.allow(t, keys: ["kind", "path", "format", "prefix", "timezone"])
                guard let kindName = try r.string(t, "kind") else { throw r.error("kind", "is required (postgres, audit, redis or search)") }
                guard let kind = SourceKind(rawValue: kindName) else {
                    throw r.error("kind", "unknown kind \"\(kindName)\" (expected postgres, audit, redis or search)")
                }
                guard let path = try r.string(t, "path"), !path.isEmpty else { throw r.error("path", "is required") }
                var spec = SourceSpec(kind: kind, path: path == "-" ? "-" : resolve(path, baseDirectory))
                if let f = try r.string(t, "format") {
                    guard let format = PostgresLogFormat(rawValue: f) else {
                        throw r.error("format", "unknown format \"\(f)\" (expected \(PostgresLogFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    spec.format = format
                }
                if let p = try r.string(t, "prefix") { spec.prefix = p }
                if let z = try r.string(t, "timezone") {
                    guard TimeZone(identifier: z) != nil || TimeZone(abbreviation: z) != nil else {
                        throw r.error("timezone", "unknown time zone \"\(z)\" (use an IANA name such as Europe/Berlin)")
                    }
                    spec.timezone = z
                }
                config.sources.append(spec)
            }
        }
        return config
    }

    /// Relative paths in the config are relative to the config file, as the contract says.
    static func resolve(_ path: String, _ base: String) -> String {
        if path.hasPrefix("/") || path == "-" { return path }
        if path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
        return URL(fileURLWithPath: base).appendingPathComponent(path).path
    }
}

/// Typed access to one TOML table that turns every mismatch into a `ConfigError` naming the key.
struct TableReader {
    let file: String
    let prefix: String

    func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: prefix + key, message: message)
    }

    func allow(_ table: TOMLTable, keys: Set<String>) throws {
        for key in table.keys where !keys.contains(key) {
            throw error(key, "unknown key (expected one of: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func table(_ t: TOMLTable, _ key: String) throws -> TOMLTable? {
        guard let v = t[key] else { return nil }
        guard let table = v.table else { throw error(key, "must be a table: write [\(prefix + key)]") }
        return table
    }

    func string(_ t: TOMLTable, _ key: String) throws -> String? {
        guard let v = t[key] else { return nil }
        guard let s = v.string else { throw error(key, "must be a string") }
        return s
    }

    func strings(_ t: TOMLTable, _ key: String) throws -> [String]? {
        guard let v = t[key] else { return nil }
        guard let array = v.array else { throw error(key, "must be an array of strings") }
        var out: [String] = []
        for element in array {
            guard let s = element.string else { throw error(key, "must be an array of strings") }
            out.append(s)
        }
        return out
    }
}
