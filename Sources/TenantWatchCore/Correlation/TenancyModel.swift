import Foundation

/// Who owns which table, built once from the config and the schema dump, with the analyzer
/// that judges statements against it. Shared by `scan`, `check-sql`, the dashboard and the bench.
public final class TenancyModel: @unchecked Sendable {
    public let schema: TenancySchema
    public let analyzer: TenantPredicateAnalyzer
    public let sessionSetting: String

    public init(schema: TenancySchema, sessionSetting: String) {
        self.schema = schema
        self.analyzer = TenantPredicateAnalyzer(schema: schema)
        self.sessionSetting = sessionSetting
    }

    /// Reads `[tenancy]`; a schema file that is missing or has nothing in it is a config error
    /// naming `tenancy.schema`, since every verdict depends on it.
    public convenience init(configuration: Configuration) throws {
        let t = configuration.tenancy
        var schema = TenancySchema(tenantColumns: t.columns, tables: t.tables, globalTables: t.globalTables,
                                   sessionSetting: t.sessionSetting)
        if let path = t.schema {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(file: configuration.file, key: "tenancy.schema", message: "cannot read \(path)")
            }
            schema.load(pgDump: String(decoding: data, as: UTF8.self))
            guard !schema.tables.isEmpty else {
                throw ConfigError(file: configuration.file, key: "tenancy.schema",
                                  message: "\(path) defines no table (expected `pg_dump --schema-only` output)")
            }
        }
        self.init(schema: schema, sessionSetting: t.sessionSetting)
    }

    /// Analyses one execution: cached judgement of its text, resolved with its bind values and
    /// the backend's session tenant.
    public func analyze(_ execution: StatementExecution, sessionTenant: String? = nil) -> AnalyzedStatement {
        let analysis = analyzer.analyze(execution.sql)
        let resolved = TenantResolver.resolve(analysis, parameters: execution.parameters,
                                              sessionTenant: sessionTenant, sessionSetting: sessionSetting)
        return AnalyzedStatement(
            execution: execution,
            tags: SQLCommenter.tags(in: execution.sql),
            verdict: analysis.verdict,
            tables: analysis.tables.map(\.description),
            unscopedTables: analysis.unscopedTables.map(\.description),
            accessedTenants: resolved.tenants,
            fingerprint: analysis.fingerprint,
            command: analysis.kind.command,
            reason: analysis.reason,
            analysis: analysis
        )
    }
}

extension StatementKind {
    /// The SQL command word for messages (`SELECT on invoices ...`).
    public var command: String {
        switch self {
        case .other: return "statement"
        default: return rawValue.uppercased()
        }
    }
}
