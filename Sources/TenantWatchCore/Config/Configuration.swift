import Foundation
import TenantWatchSQL

/// Everything `tenantwatch.toml` can say, with the contract's defaults.
///
/// Values are plain data: the config file, the command line and tests all build the same type,
/// so no part of the pipeline needs to know where a setting came from.
public struct Configuration: Sendable {
    public var tenancy = Tenancy()
    public var identity = Identity()
    public var audit = Audit()
    public var cache = Cache()
    public var export = Export()
    public var correlation = Correlation()
    public var store = Store()
    /// `[search]` (see `SearchConfiguration.swift`).
    public var search = Search()
    /// `[audit] search_body` / `search_index` (see `SearchConfiguration.swift`).
    public var auditSearch = AuditSearch()
    public var sources: [SourceSpec] = []
    /// The directory relative paths are resolved against (the config file's directory).
    public var baseDirectory: String = FileManager.default.currentDirectoryPath
    /// The config file's path, for error messages (`tenantwatch.toml` when built in code).
    public var file: String = "tenantwatch.toml"

    public init() {}

    public struct Tenancy: Sendable {
        /// Column names that hold the tenant id.
        public var columns: [String] = ["tenant_id"]
        /// `pg_dump --schema-only` output, resolved to an absolute path.
        public var schema: String? = nil
        /// Tenant-owned tables, added to those found in the schema.
        public var tables: [String] = []
        /// Tables shared by design: never flagged.
        public var globalTables: [String] = []
        /// The setting (GUC) that carries the session's tenant for RLS.
        public var sessionSetting: String = "app.current_tenant"
        /// Known tenant identifiers (optional): a Host or cache-key segment naming one of these
        /// names a tenant. Tenants seen in tokens and confined statements are learned as well.
        public var tenants: [String] = []
        /// `[tenancy] parents`: foreign keys the schema does not declare (`line_items = "invoice_id -> invoices.id"`).
        public var parents: [ForeignKey] = []
        /// `[tenancy] caller_table`: the table holding the caller's own row (`users`).
        public var callerTable: String? = nil
        /// Its key the application looks the caller up by (default `id`).
        public var callerKey: String? = nil
        /// Its tenant column (default: the first of `columns`).
        public var callerTenantColumn: String? = nil
        public init() {}

        /// Whether any table is known to be tenant-owned (`schema` or `tables`). Without either,
        /// every statement is `not_applicable`: a run must say so rather than report nothing.
        public var isConfigured: Bool { schema != nil || !tables.isEmpty }

        /// The one-line notice for a run without tenancy.
        public static let notConfiguredMessage = "no tenancy configured ([tenancy] schema or tables in tenantwatch.toml, or --config F): "
            + "no table is known to be tenant-owned, so no statement can be judged"
    }

    public struct Identity: Sendable {
        public var claim: String = "tenant_id"
        public var host: String? = nil
        /// HS256/384/512 shared secret (at least 32 bytes). Any key configured turns on verification.
        public var jwtSecret: String? = nil
        /// PEM public key (RSA or EC), resolved to an absolute path: RS256/384/512, ES256/384/512.
        public var jwtPublicKey: String? = nil
        /// A JWKS file (`{"keys": [...]}`), resolved to an absolute path; keys need a `kid`.
        public var jwks: String? = nil
        /// Clock skew tolerated on `exp`/`nbf`, compared with the request's logged time.
        public var leewaySeconds: Int = 0
        /// `[identity] privileged`: the claim of a verified token that grants cross-tenant access.
        public var privileged: PrivilegedClaims? = nil
        /// `[identity] impersonation`: `act` (RFC 8693) and/or claims naming the impersonated tenant.
        /// Recognising an impersonation only narrows a privilege, so both are on by default.
        public var impersonation: [String] = ["act", "impersonated_tenant"]
        public init() {}
        /// True when some key is configured, so tokens are verified rather than only read.
        public var verifiesTokens: Bool { jwtSecret != nil || jwtPublicKey != nil || jwks != nil }
    }

    public struct Audit: Sendable {
        public var time = "ts"
        public var requestID = "request_id"
        public var trace = "traceparent"
        public var token = "headers.authorization"
        public var callerTenant = ""
        public var host = "host"
        public var responseTenants = "response.tenant_ids"
        public var route = "route"
        public var refreshToken = ""
        /// The HTTP status code (not in the contract's list; default `status`).
        public var status = "status"
        /// Optional: the refresh token a response issued in exchange for `refresh_token`.
        public var refreshTokenIssued = ""
        /// `[audit] internal_routes`: route patterns only privileged callers may reach (`RoutePattern`).
        public var internalRoutes: [String] = []
        public init() {}
    }

    public struct Correlation: Sendable {
        /// How long (log time) a statement waits for its request's audit line, and the reverse.
        public var windowSeconds: Double = 10
        public init() {}
    }

    /// `[store]`: where `live` and `replay` keep incidents when `--store` is not given (a
    /// SQLite path, or `postgres://...` for a fleet's shared store).
    public struct Store: Sendable {
        public var url: String?
        public init() {}
    }

    /// `[export]`: what a customer's bundle may keep of another tenant's audit lines.
    public struct Export: Sendable {
        /// Audit-line paths kept (besides time, method, route, status and the tenant fields) in
        /// the lines of requests that are not the bundle tenant's own.
        public var safeFields: [String] = []
        public init() {}
    }

    public struct Cache: Sendable {
        public var allowed: [String] = []
        public init() {}
    }
}

/// The kinds of source the contract knows.
public enum SourceKind: String, Sendable, CaseIterable {
    case postgres, audit, redis
    /// Elasticsearch / OpenSearch search slow logs.
    case search
}

/// How a PostgreSQL log is written: `log_destination` stderr, csvlog or jsonlog.
public enum PostgresLogFormat: String, Sendable, CaseIterable {
    case auto, stderr, csvlog, jsonlog, syslog, cloudsql, cnpg, azure
}

/// One `[[source]]` entry, or one `--postgres/--audit/--redis` (or bare) path from the command line.
public struct SourceSpec: Sendable, Equatable {
    /// `nil` when the kind must be detected from the content (a bare path on the command line).
    public var kind: SourceKind?
    /// A path, a glob, or `-` for standard input.
    public var path: String
    public var format: PostgresLogFormat = .auto
    /// The server's `log_line_prefix`, for stderr logs; `nil` lets the reader infer it.
    public var prefix: String? = nil
    /// For timestamps whose zone is an abbreviation without offset (`CET`).
    public var timezone: String = "UTC"

    public init(kind: SourceKind?, path: String, format: PostgresLogFormat = .auto,
                prefix: String? = nil, timezone: String = "UTC") {
        self.kind = kind
        self.path = path
        self.format = format
        self.prefix = prefix
        self.timezone = timezone
    }
}
