import Foundation

/// Judges SQL texts against a `TenancySchema`, caching each text's analysis.
///
/// SQL is parsed only by libpg_query. A text of several statements is judged per statement and
/// combined. Functions and views are out of scope: a view or a function in FROM is judged by
/// its name only (a view is a table the schema may not know), never by its definition.
///
/// Rules chosen where the issue was silent (the per-item model is in `StatementWalker`):
/// - `IS NOT DISTINCT FROM` confines like `=`; `(a, b) = (x, y)` like `a = x AND b = y`.
/// - `= (SELECT ...)`, `= ANY($1)`, functions of the column and NULL/boolean constants confine nothing.
/// - Several pins on one item (`tenant_id = $1 AND tenant_id IN (1, 2)`): the smallest set wins.
/// - Without a dump, a table is tenant-owned when configured, or when the statement names a
///   tenant column on it: qualified anywhere, bare with that table the only candidate, in
///   `USING`, or in an INSERT column list. A bare tenant column with several unknown tables
///   makes none of them tenant-owned. With a dump, the dump decides for the tables it defines.
/// - A bare tenant column with several tenant-owned candidates is ambiguous (PostgreSQL would
///   reject it unless a USING/NATURAL join merged them): it confines nothing, and the reason says so.
/// - LEFT/RIGHT JOIN: ON confines only the nullable side (pins flow preserved → nullable);
///   FULL JOIN: ON confines nothing. A WHERE pin on the nullable side does not reach the preserved
///   side through the ON equality (conservative).
/// - A correlated subquery never confines its outer query; the outer query's pins flow in.
/// - A CTE is expanded at every reference (two references are two items); a CTE nobody references
///   is still judged once. The self-reference of a recursive CTE carries the non-recursive
///   branch's pins into the recursive branch, but cannot be confined itself.
/// - INSERT ... VALUES: the tenant column's values (by column list, else by the dump's column
///   order) confine the target; none → unscoped write. INSERT ... SELECT: the SELECT is judged, and
///   the target too when the column feeding its tenant column is a value or a read tenant column.
///   ON CONFLICT (cols) DO UPDATE whose conflict target has no tenant column is unscoped (the
///   update can hit another tenant's row); ON CONFLICT ON CONSTRAINT is trusted.
/// - COPY table TO is unscoped (RLS applies to it); COPY table FROM is a bulk write, not judged
///   (`not_applicable`); TRUNCATE of a tenant-owned table is an unscoped write.
/// - EXPLAIN (even ANALYZE) returns a plan, not rows: `not_applicable`. PREPARE / DECLARE CURSOR /
///   CREATE TABLE AS are judged by their query.
/// - Only literal values count toward `multi_tenant` across items; `$1` and `$2` on two items stay
///   `scoped` here and are told apart per execution by `TenantResolver`.
/// - A child table (tenant-owned only through foreign keys) is confined by a join along a whole
///   foreign key to a confined parent (either direction, any depth, `USING` too) or by
///   `fk IN (SELECT key ...)` of a confined parent; found only by its own keys (a value on a
///   foreign-key or primary-key column, or a row joined to one) it is `unconfined_child`; with no
///   key at all, `unscoped`. A child with a tenant column of its own is judged by that column only.
/// - `x IN (SELECT y ...)` / `= ANY (SELECT ...)`: the subquery's confinement flows to `x`, never back.
///   A correlated `EXISTS` in a top-level AND passes only whole-foreign-key equalities outward.
/// - With `[tenancy] caller_table`, `caller_key = value` pins that row to the caller's tenant
///   (`TenantValue.caller`); without it, a note names the setting that would settle it.
/// - Nesting deeper than the walker's caps (150 query levels, 400 boolean levels): boolean depth
///   only drops pins; query depth makes the verdict `unscoped` ("nested too deeply").
///
/// Thread-safe (a lock guards the cache); the pipeline calls it from one thread anyway.
public final class TenantPredicateAnalyzer: @unchecked Sendable {
    public let schema: TenancySchema
    private var cache: AnalysisCache<String, StatementAnalysis>
    private let lock = NSLock()

    public init(schema: TenancySchema = TenancySchema(), cacheCapacity: Int = 50_000) {
        self.schema = schema
        self.cache = AnalysisCache(capacity: cacheCapacity)
    }

    /// Number of texts currently cached.
    public var cachedCount: Int {
        lock.lock(); defer { lock.unlock() }
        return cache.count
    }

    /// The analysis of `sql`: a dictionary lookup when the same text was seen before.
    public func analyze(_ sql: String) -> StatementAnalysis {
        lock.lock()
        if let hit = cache.get(sql) { lock.unlock(); return hit }
        lock.unlock()
        let result = TenantPredicateAnalyzer.analyzeUncached(sql, schema: schema)
        lock.lock()
        cache.insert(sql, result)
        lock.unlock()
        return result
    }

    /// The analysis without the cache (tests, one-off `check-sql`).
    public static func analyzeUncached(_ sql: String, schema: TenancySchema) -> StatementAnalysis {
        let tree: PgJSONTree
        switch PgQuery.parse(sql) {
        case .failure(let f):
            // Which tenant-owned tables it names, by PostgreSQL's lexer: what makes a statement
            // that cannot be judged a finding (`unjudged_statement`) rather than noise.
            let tables = f.tooLarge ? [] : (PgQuery.namedTables(sql) { schema.isTenantOwned($0) == true } ?? [])
            return StatementAnalysis(verdict: .unparseable, kind: .other, tables: tables,
                                     reason: "unparseable: \(f)", parseError: f)
        case .success(let t):
            tree = t
        }
        let fingerprint = PgQuery.fingerprint(sql)
        let bytes = SQLBytes(sql)
        var parts: [StatementAnalysis] = []
        let stmts = Array(tree.root["stmts"]?.children ?? PgNode.Children.empty(tree))
        for raw in stmts {
            guard let stmt = raw["stmt"] else { continue }
            var part = analyzeOne(stmt, schema: schema, sql: bytes)
            if stmts.count > 1 {
                part.fingerprint = statementText(raw, in: sql).flatMap(PgQuery.fingerprint)
            }
            parts.append(part)
        }
        if parts.isEmpty {
            return StatementAnalysis(verdict: .notApplicable, kind: .other, fingerprint: fingerprint, reason: "no statement")
        }
        if parts.count == 1 {
            var only = parts[0]
            only.fingerprint = fingerprint
            return only
        }
        return combine(parts, fingerprint: fingerprint)
    }

    private static func statementText(_ raw: PgNode, in sql: String) -> String? {
        let utf8 = Array(sql.utf8)
        let start = raw["stmt_location"]?.int ?? 0
        let len = raw["stmt_len"]?.int ?? (utf8.count - start)
        guard start >= 0, start <= utf8.count else { return nil }
        let end = len == 0 ? utf8.count : min(utf8.count, start + len)
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }

    package static func analyzeOne(_ stmt: PgNode, schema: TenancySchema, sql: SQLBytes) -> StatementAnalysis {
        let walker = StatementWalker(schema: schema, sql: sql)
        let kind = walker.analyzeStatement(stmt, frame: nil, parent: nil, depth: 0)
        walker.propagate()

        var items: [TableAccess] = []
        var tables: Set<TableName> = []
        var unscopedTables: Set<TableName> = []
        var childTables: Set<TableName> = []
        var values: Set<TenantValue> = []
        for leaf in walker.leaves {
            guard !schema.isGlobal(leaf.table), schema.isTenantOwned(leaf.table) ?? leaf.mentioned else { continue }
            tables.insert(leaf.table)
            guard leaf.judged else { continue }
            var status: AccessStatus
            if let f = leaf.forced {
                status = f
            } else if let p = leaf.pins, !p.isEmpty {
                status = p.count == 1 ? .scoped : .multiTenant
            } else if leaf.keyed, schema.chain(leaf.table) != nil {
                status = .unconfinedChild
            } else {
                status = .unscoped
            }
            if status == .unscoped || status == .unconfinedChild, schema.isRLSProtected(leaf.table) { status = .rls }
            let pinned: Set<TenantValue> = (status == .scoped || status == .multiTenant) ? (leaf.pins ?? []) : []
            if status == .unscoped { unscopedTables.insert(leaf.table) }
            if status == .unconfinedChild { childTables.insert(leaf.table) }
            values.formUnion(pinned)
            items.append(TableAccess(table: leaf.table, refName: leaf.refName, status: status, values: pinned, isWrite: leaf.isWrite))
        }
        var verdict = verdict(for: items)
        var notes = walker.notes
        if verdict == .unscoped, schema.caller == nil {
            notes += callerHints(walker, items: items, schema: schema)
        }
        if walker.truncated {
            verdict = .unscoped
            notes.insert("nested too deeply to analyse completely", at: 0)
        }
        let reason = reason(verdict: verdict, kind: kind, items: items, notes: notes,
                            sessionChanges: walker.sessionChanges, touched: tables, schema: schema)
        var analysis = StatementAnalysis(verdict: verdict, kind: kind, tables: tables.sorted(), unscopedTables: unscopedTables.sorted(),
                                         items: items, tenantValues: values, reason: reason, sessionChanges: walker.sessionChanges)
        analysis.unconfinedChildTables = childTables.sorted()
        return analysis
    }

    /// Without `[tenancy] caller_table`, a row found by its primary key (`users.id = $1`) that
    /// confines others only through its tenant column may be the caller's own row, or any row:
    /// the statement cannot tell, the config can. Says which setting would settle it.
    private static func callerHints(_ walker: StatementWalker, items: [TableAccess], schema: TenancySchema) -> [String] {
        var hints: [String] = []
        for (leaf, row) in walker.callerCandidates.sorted(by: { $0.key < $1.key }) {
            let l = walker.leaves[leaf]
            guard l.pins == nil, walker.edges.contains(where: { $0.from == leaf }) else { continue }
            let table = l.table
            let key = schema.primaryKeys[table]?.first ?? "id"
            let column = schema.info(table)?.columns.first(where: schema.isTenantColumn) ?? schema.tenantColumns[0]
            let hint = "confined only through \(row); if that is the caller's own row, set [tenancy] caller_table = \"\(table)\" "
                + "(caller_key = \"\(key)\", caller_tenant_column = \"\(column)\")"
            if !hints.contains(hint) { hints.append(hint) }
        }
        return hints
    }

    /// Overall: any unscoped item → unscoped; else any child found only by its keys →
    /// unconfined_child; else any RLS-only item → rls; else several distinct
    /// literals across items, or an item pinned to several values → multi_tenant; else scoped.
    package static func verdict(for items: [TableAccess]) -> Verdict {
        if items.isEmpty { return .notApplicable }
        if items.contains(where: { $0.status == .unscoped }) { return .unscoped }
        if items.contains(where: { $0.status == .unconfinedChild }) { return .unconfinedChild }
        if items.contains(where: { $0.status == .rls }) { return .rls }
        var literals: Set<String> = []
        for item in items {
            if item.values.count > 1 { return .multiTenant }
            for case .literal(let s) in item.values { literals.insert(s) }
        }
        return literals.count > 1 ? .multiTenant : .scoped
    }

    package static func combine(_ parts: [StatementAnalysis], fingerprint: String?) -> StatementAnalysis {
        let items = parts.flatMap(\.items)
        var verdict: Verdict
        if parts.contains(where: { $0.verdict == .unscoped }) {
            verdict = .unscoped
        } else if parts.contains(where: { $0.verdict == .unconfinedChild }) {
            verdict = .unconfinedChild
        } else if parts.contains(where: { $0.verdict == .rls }) {
            verdict = .rls
        } else {
            verdict = self.verdict(for: items)
        }
        let kind = parts.first(where: { !$0.items.isEmpty })?.kind ?? parts[0].kind
        let reasons = parts.enumerated().filter { $0.element.verdict == verdict || verdict == .multiTenant }
            .map { "statement \($0.offset + 1): \($0.element.reason)" }
        var combined = StatementAnalysis(
            verdict: verdict, kind: kind,
            tables: Array(Set(parts.flatMap(\.tables))).sorted(),
            unscopedTables: Array(Set(parts.flatMap(\.unscopedTables))).sorted(),
            items: items, tenantValues: parts.reduce(into: Set<TenantValue>()) { $0.formUnion($1.tenantValues) },
            fingerprint: fingerprint, reason: reasons.joined(separator: "; "),
            sessionChanges: parts.flatMap(\.sessionChanges), parts: parts)
        combined.unconfinedChildTables = Array(Set(parts.flatMap(\.unconfinedChildTables))).sorted()
        return combined
    }

    private static func reason(verdict: Verdict, kind: StatementKind, items: [TableAccess], notes: [String],
                               sessionChanges: [SessionTenantChange], touched: Set<TableName>, schema: TenancySchema) -> String {
        func name(_ i: TableAccess) -> String { i.refName == i.table.name ? i.table.description : "\(i.table) AS \(i.refName)" }
        func list(_ vs: Set<TenantValue>) -> String { vs.map(\.description).sorted().joined(separator: ", ") }
        var text: String
        switch verdict {
        case .unscoped:
            // A child table says why it is tenant-owned at all: it has no tenant column to filter on.
            let names = items.filter { $0.status == .unscoped }.map { i in
                name(i) + (schema.chain(i.table).map { " (tenant-owned through \($0))" } ?? "")
            }
            text = names.isEmpty ? "not confined to one tenant" : "not confined to one tenant: " + names.joined(separator: ", ")
        case .unconfinedChild:
            let children = items.filter { $0.status == .unconfinedChild }
            text = "found only by its own keys, so its tenant cannot be known: " + children.map { i in
                let chain = schema.chain(i.table).map { " (tenant-owned through \($0))" } ?? ""
                return name(i) + chain
            }.joined(separator: ", ")
        case .rls:
            text = "relies on row-level security: " + items.filter { $0.status == .rls }.map(name).joined(separator: ", ")
        case .multiTenant:
            text = "confined to several tenants (" + list(Set(items.flatMap(\.values))) + ")"
        case .scoped:
            text = "every tenant-owned table confined to one tenant: " + list(Set(items.flatMap(\.values)))
        case .notApplicable:
            if kind == .copy, !touched.isEmpty {
                text = "COPY ... FROM loads rows: a write, not judged for read leaks"
            } else if !touched.isEmpty {
                text = "INSERT ... SELECT: only the SELECT is judged and it reads no tenant-owned table"
            } else if sessionChanges.contains(where: { if case .set = $0 { return true }; if case .reset = $0 { return true }; return false }) {
                text = "sets \(schema.sessionSetting)"
            } else {
                text = "no tenant-owned table"
            }
        case .unparseable:
            text = "unparseable"
        }
        if !notes.isEmpty, verdict == .unscoped || verdict == .rls || verdict == .unconfinedChild {
            text += " (" + notes.joined(separator: "; ") + ")"
        }
        return text
    }
}
