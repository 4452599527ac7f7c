import Foundation
import TenantWatchModel
import TenantWatchSQL

/// Who owns which table, built once from the config and the schema dump, with the analyzer
/// that judges statements against it. Shared by `scan`, `check-sql`, the dashboard and the bench.
public final class TenancyModel: @unchecked Sendable {
    public let schema: TenancySchema
    public let analyzer: TenantPredicateAnalyzer
    public let sessionSetting: String
    /// Judgements by shape, in front of the analyzer's cache (guarded: the dashboard and the
    /// scan may share a model).
    private var judgements = AnalysisCache<ShapeKey, ShapeJudgement>(capacity: 50_000)
    /// Judgements by exact text, for texts that are their own shape (no literal, no comment):
    /// extended-protocol statements repeat their text verbatim, and this skips lexing them.
    private var plainTexts = AnalysisCache<TextKey, ShapeJudgement>(capacity: 8_192)
    private let judgementsLock = NSLock()

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
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
               size.int64Value > Int64(TenancySchema.maximumDumpBytes) {
                throw ConfigError(file: configuration.file, key: "tenancy.schema",
                                  message: "\(path) is \(size.int64Value) bytes, over the \(TenancySchema.maximumDumpBytes / (1 << 20)) MiB a schema dump may have (expected `pg_dump --schema-only` output, not data)")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(file: configuration.file, key: "tenancy.schema", message: "cannot read \(path)")
            }
            schema.load(pgDump: String(decoding: data, as: UTF8.self))
            guard !schema.tables.isEmpty else {
                throw ConfigError(file: configuration.file, key: "tenancy.schema",
                                  message: "\(path) defines no table (expected `pg_dump --schema-only` output)")
            }
        }
        if !t.parents.isEmpty { schema.addParents(t.parents) }
        if let table = t.callerTable {
            let name = TableName(configName: table)
            // Default tenant column: the one the dump gives the caller table, else the first configured.
            let column = t.callerTenantColumn.map(TableName.foldIdentifier)
                ?? schema.info(name)?.columns.first(where: schema.isTenantColumn) ?? schema.tenantColumns[0]
            schema.setCaller(CallerRow(table: name, key: TableName.foldIdentifier(t.callerKey ?? "id"), tenantColumn: column))
        }
        self.init(schema: schema, sessionSetting: t.sessionSetting)
    }

    /// Analyses one execution: cached judgement of its text, resolved with its bind values and
    /// the backend's session tenant.
    ///
    /// The analysis is cached by the statement's *shape* (literals lifted, comments dropped), so
    /// the same query with other literals or another request's trace comment is a cache hit.
    public func analyze(_ execution: consuming StatementExecution, sessionTenant: String? = nil) -> AnalyzedStatement {
        guard execution.textCut else { return analyzeText(execution, sessionTenant: sessionTenant) }
        // Only the head was read: whatever it says (its head may even parse), it is not the
        // statement. It cannot be judged; `unjudged_statement` reports it with what it names.
        var a = analyzeText(execution, sessionTenant: sessionTenant)
        a.verdict = .unparseable
        if a.tables.isEmpty, let named = PgQuery.namedTables(a.execution.sql, where: { schema.isTenantOwned($0) == true }) {
            a.tables = named.map(\.description)
        }
        a.unscopedTables = []
        a.accessedTenants = []
        a.reason = "cut at the line length limit: only its first \(a.execution.sql.utf8.count) bytes were read"
        return a
    }

    private func analyzeText(_ execution: consuming StatementExecution, sessionTenant: String?) -> AnalyzedStatement {
        let mayBePlain = Self.mayBePlain(execution.sql)
        var plain: ShapeJudgement?
        if mayBePlain {
            judgementsLock.lock()
            plain = plainTexts.get(TextKey(execution.sql))
            judgementsLock.unlock()
        }
        if let plain {
            // Its own shape: no literal to bind, no tag to read.
            return analyzed(execution, judgement: plain, parameters: execution.parameters, tags: StatementTags(),
                            sessionTenant: sessionTenant)
        }
        let shape = StatementShape.lexed(execution.sql)
        var judgement = self.judgement(of: shape.key)
        var parameters = shape.parameters(binding: execution.parameters)
        if judgement.analysis.verdict == .unparseable, !shape.key.bytes.elementsEqual(execution.sql.utf8) {
            // The shape broke the grammar (a rare lexical corner): judge the text itself.
            judgement = self.judgement(of: ShapeKey(Array(execution.sql.utf8)))
            parameters = execution.parameters
        } else if mayBePlain, shape.literals.isEmpty, shape.comments.isEmpty, shape.key.bytes.count == execution.sql.utf8.count {
            // Nothing was lifted or dropped, so the shape is the text: its judgement serves the
            // text as it stands next time.
            judgementsLock.lock()
            plainTexts.insert(TextKey(execution.sql), judgement)
            judgementsLock.unlock()
        }
        return analyzed(execution, judgement: judgement, parameters: parameters,
                        tags: SQLCommenter.tags(fromComments: shape.comments), sessionTenant: sessionTenant)
    }

    /// False when the text has a quote or a block comment: such texts nearly always lift a
    /// literal or drop a comment, so hashing them for the plain-text cache was a lookup that
    /// missed on every simple-protocol or tagged statement. (The rare quoted text that is its own
    /// shape, `DATE '2020-01-01'`, is then lexed each time: same judgement, found by its shape.)
    static func mayBePlain(_ sql: String) -> Bool {
        let answer = sql.utf8.withContiguousStorageIfAvailable { u -> Bool in
            guard let base = u.baseAddress, !u.isEmpty else { return true }
            if memchr(base, Int32(UInt8(ascii: "'")), u.count) != nil { return false }
            var from = 0
            while from < u.count - 1, let hit = memchr(base + from, Int32(UInt8(ascii: "/")), u.count - 1 - from) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if u[at + 1] == UInt8(ascii: "*") { return false }
                from = at + 1
            }
            return true
        }
        return answer ?? true
    }

    private func analyzed(_ execution: consuming StatementExecution, judgement: ShapeJudgement, parameters: [String?],
                          tags: StatementTags, sessionTenant: String?) -> AnalyzedStatement {
        // Read through the shared judgement, not copied out of it: a copy of the analysis would
        // retain and release each of its arrays per execution.
        let resolved = TenantResolver.resolve(judgement.analysis, parameters: parameters,
                                              sessionTenant: sessionTenant, sessionSetting: sessionSetting)
        var verdict = judgement.analysis.verdict
        // Placeholders are symbols until bound: two that hold the same tenant confine to one,
        // two that hold different tenants confine to several.
        if verdict == .multiTenant, resolved.unresolved.isEmpty, resolved.tenants.count == 1 { verdict = .scoped }
        if verdict == .scoped, resolved.tenants.count > 1 { verdict = .multiTenant }
        return AnalyzedStatement(execution: execution, tags: tags,
                                 verdict: verdict, judgement: judgement, accessedTenants: resolved.tenants,
                                 parameters: parameters)
    }

    /// The shape's judgement: one lookup here when seen before, else the analyzer's (itself cached).
    private func judgement(of key: ShapeKey) -> ShapeJudgement {
        judgementsLock.lock()
        if let hit = judgements.get(key) { judgementsLock.unlock(); return hit }
        judgementsLock.unlock()
        let judgement = ShapeJudgement(analyzer.analyze(key.text))
        judgementsLock.lock()
        judgements.insert(key, judgement)
        judgementsLock.unlock()
        return judgement
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
