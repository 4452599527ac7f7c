/// Walks one statement's parse tree and decides, per FROM item, whether its tenant column is pinned.
///
/// The model: every table reference is a *leaf* (an alias is its own leaf; a CTE is expanded at
/// each reference, as if inlined). Predicates found only through `AND` produce *facts*: a pin
/// (`leaf.tenant = value(s)`) or an equality between two leaves' tenant columns. Facts apply only
/// to the leaves the clause may confine (`allowed`): a WHERE or inner-join ON confines the whole
/// query level; a LEFT JOIN's ON only the nullable side; a FULL JOIN's ON nothing; a correlated
/// subquery never confines the outer query's leaves. Equalities become directed edges, and pins
/// flow along them to a fixpoint at the end. Subqueries in FROM and CTEs expose their output
/// columns as *handles* onto their inner leaves; an outer predicate on such a column pins the
/// inner leaves unless the subquery aggregates, limits, uses DISTINCT ON or window functions
/// (then the handle is only a source: an inner pin still flows out through a join).
///
/// Not thread-safe; one walker per statement.
package final class StatementWalker {
    package struct Leaf {
        package var table: TableName
        package var refName: String
        package var isWrite: Bool
        /// False for a table the statement touches but that is not judged (INSERT ... SELECT target,
        /// COPY ... FROM).
        package var judged: Bool
        package var mentioned = false
        package var pins: Set<TenantValue>?
        package var forced: AccessStatus?
        /// Found by one of its own key columns (`id = $1`, `po_id = $1`, an INSERT's parent key):
        /// for a child table without a confined parent, its tenant cannot be known.
        package var keyed = false
    }

    /// A column of a leaf a predicate can name: its tenant column (`column` nil), or a key column
    /// (a foreign key, the key it references, a primary key, the caller table's key) that confines
    /// only through the schema's foreign keys.
    package struct Handle: Hashable {
        package var leaf: Int
        package var pinnable: Bool
        package var column: String? = nil

        /// The same column, seen through a query whose rows are not a subset of its input's.
        package var sourceOnly: Handle { Handle(leaf: leaf, pinnable: false, column: column) }
    }

    package enum Fact {
        case pin([Handle], Set<TenantValue>)
        case equal([Handle], [Handle])
        /// `x IN (SELECT y ...)`: the inner rows' confinement reaches the outer ones, not back.
        case flows(from: [Handle], to: [Handle])
        /// A key equality a correlated `EXISTS` subquery makes with an outer leaf.
        case keyFlow(KeyEquality)
    }

    /// `to.toColumn = from.fromColumn`, where `to` may be confined by `from`. Matched against the
    /// foreign keys once the statement is walked (a multi-column key needs all its pairs).
    package struct KeyEquality: Hashable {
        package var from: Int
        package var fromColumn: String
        package var to: Int
        package var toColumn: String
    }

    package enum ItemKind {
        case table(leaf: Int, table: TableName, aliased: Bool)
        case derived(Output)
        case opaque
    }

    package struct Item {
        package var refName: String
        package var kind: ItemKind
    }

    /// What a (sub)query exposes: named columns with the leaves they carry, `*` items, or for a set
    /// operation whose columns cannot be lined up by position, its branches (matched by name).
    package final class Output {
        package var columns: [(name: String?, handles: [Handle])]
        package var stars: [Item]
        package var branches: [Output]
        package var opaque: Bool
        package init(columns: [(name: String?, handles: [Handle])] = [], stars: [Item] = [], branches: [Output] = [], opaque: Bool = false) {
            self.columns = columns
            self.stars = stars
            self.branches = branches
            self.opaque = opaque
        }
        package static var empty: Output { Output(opaque: true) }
    }

    package struct Merge {
        package var column: String
        package var items: Range<Int>
        package var handles: [Handle]
    }

    package final class Scope {
        package let parent: Scope?
        package var items: [Item] = []
        package var merged: [Merge] = []
        package init(parent: Scope?) { self.parent = parent }
    }

    package final class CTEDef {
        package let name: String
        package let query: PgNode
        package unowned let frame: CTEFrame
        package var referenced = false
        package var expanding = false
        package var selfOutput: Output?
        package init(name: String, query: PgNode, frame: CTEFrame) {
            self.name = name
            self.query = query
            self.frame = frame
        }
    }

    package final class CTEFrame {
        package let parent: CTEFrame?
        package let recursive: Bool
        package var defs: [CTEDef] = []
        package init(parent: CTEFrame?, recursive: Bool) {
            self.parent = parent
            self.recursive = recursive
        }
    }

    /// Query nesting (subqueries, CTE expansions) beyond this is not analysed: the statement is
    /// then judged `unscoped` rather than risk missing a leaf.
    package static let maxQueryDepth = 150
    /// Boolean nesting beyond this yields no facts (fewer pins: the conservative direction).
    package static let maxExprDepth = 400

    package let schema: TenancySchema
    package let sql: SQLBytes
    package var leaves: [Leaf] = []
    package var edges: [(from: Int, to: Int)] = []
    package var keyEqualities: [KeyEquality] = []
    /// Leaves found by the caller table's key without a configured caller table, as
    /// `users.id = $1`: said in the reason of a statement confined only through them.
    package var callerCandidates: [Int: String] = [:]
    /// Sublinks already analysed as `x IN (SELECT ...)` predicates; the generic walk skips them.
    private var consumedSublinks: Set<Int32> = []
    /// The CTE frame and depth of the query whose predicates `facts` is reading.
    private var factFrame: CTEFrame?
    private var factDepth = 0
    /// While an `EXISTS` subquery is analysed: its depth, and the key equalities its own
    /// top-level predicates make from its leaves to outer ones (`i.id = li.invoice_id`).
    private var existsCapture: (depth: Int, equalities: [KeyEquality])?
    package var notes: [String] = []
    package var sessionChanges: [SessionTenantChange] = []
    package var truncated = false
    private var frames: [CTEFrame] = []   // keeps frames alive while defs point at them

    /// Whether key columns are followed at all: only when the schema has foreign keys, a
    /// caller table or primary keys; otherwise the walk is exactly the tenant-column one.
    package let followsKeys: Bool

    package init(schema: TenancySchema, sql: SQLBytes) {
        self.schema = schema
        self.sql = sql
        self.followsKeys = schema.followsKeys
    }

    /// A key column worth a handle: one a foreign key or the caller table names, or a primary key
    /// (`id` for a table whose dump declares none). Other columns (`body = 'x'`) find no row by key.
    private func wantsKey(_ table: TableName, _ c: String) -> Bool {
        if schema.isKeyColumn(table, c) { return true }
        if let pk = schema.primaryKeys[table] { return pk.contains(c) }
        return c == "id"
    }

    // MARK: statements

    package func analyzeStatement(_ stmt: PgNode, frame: CTEFrame?, parent: Scope?, depth: Int) -> StatementKind {
        guard depth < Self.maxQueryDepth else { truncated = true; return .other }
        if let s = stmt.as("SelectStmt") {
            _ = analyzeSelect(s, parent: parent, frame: frame, depth: depth + 1)
            return isSetConfigOnly(s) ? .set : .select
        }
        if let s = stmt.as("InsertStmt") { analyzeInsert(s, parent: parent, frame: frame, depth: depth + 1); return .insert }
        if let s = stmt.as("UpdateStmt") { analyzeModify(s, from: "fromClause", parent: parent, frame: frame, depth: depth + 1); return .update }
        if let s = stmt.as("DeleteStmt") { analyzeModify(s, from: "usingClause", parent: parent, frame: frame, depth: depth + 1); return .delete }
        if let s = stmt.as("MergeStmt") { analyzeMerge(s, parent: parent, frame: frame, depth: depth + 1); return .merge }
        if let s = stmt.as("TruncateStmt") {
            for r in s["relations"]?.children ?? PgNode.Children.empty(s.tree) {
                guard let rv = r.as("RangeVar"), let table = TableName(rangeVar: rv) else { continue }
                let leaf = newLeaf(table, refName: table.name, isWrite: true, judged: true)
                leaves[leaf].forced = .unscoped
                notes.append("TRUNCATE \(table) removes every tenant's rows")
            }
            return .delete
        }
        if let s = stmt.as("CopyStmt") { analyzeCopy(s, frame: frame, depth: depth + 1); return .copy }
        if let s = stmt.as("VariableSetStmt") { analyzeSet(s); return .set }
        if let s = stmt.as("TransactionStmt"), let kind = s["kind"] {
            if kind.stringEquals("TRANS_STMT_BEGIN") || kind.stringEquals("TRANS_STMT_START") {
                sessionChanges.append(.beginTransaction)
            } else if kind.stringEquals("TRANS_STMT_COMMIT") || kind.stringEquals("TRANS_STMT_PREPARE") {
                sessionChanges.append(.commitTransaction)
            } else if kind.stringEquals("TRANS_STMT_ROLLBACK") {
                sessionChanges.append(.rollbackTransaction)
            }
            return .other
        }
        if let s = stmt.as("DiscardStmt") {
            if s["target"]?.stringEquals("DISCARD_ALL") == true { sessionChanges.append(.reset) }
            return .set
        }
        if let s = stmt.as("PrepareStmt"), let q = s["query"] { return analyzeStatement(q, frame: frame, parent: parent, depth: depth + 1) }
        if let s = stmt.as("DeclareCursorStmt"), let q = s["query"] { return analyzeStatement(q, frame: frame, parent: parent, depth: depth + 1) }
        if let s = stmt.as("CreateTableAsStmt"), let q = s["query"] {
            _ = analyzeStatement(q, frame: frame, parent: parent, depth: depth + 1)
            return .other
        }
        return .other
    }

    private func analyzeSet(_ s: PgNode) {
        guard let kind = s["kind"] else { return }
        if kind.stringEquals("VAR_RESET_ALL") { sessionChanges.append(.reset); return }
        guard let name = s["name"]?.string, name.lowercased() == schema.sessionSetting else { return }
        if kind.stringEquals("VAR_SET_VALUE") {
            var args = s["args"]?.children
            if let first = args?.next(), let v = TenantValueExtraction.value(first, sql: sql) {
                sessionChanges.append(.set(v, local: s["is_local"]?.bool ?? false))
            }
        } else if kind.stringEquals("VAR_RESET") || kind.stringEquals("VAR_SET_DEFAULT") {
            sessionChanges.append(.reset)
        }
    }

    /// `SELECT set_config(...)` with no FROM: a session change, not a read.
    private func isSetConfigOnly(_ s: PgNode) -> Bool {
        guard s["fromClause"] == nil, let targets = s["targetList"] else { return false }
        var any = false
        for t in targets.children {
            guard let v = t.as("ResTarget")?["val"], let f = TenantValueExtraction.strip(v).as("FuncCall"),
                  TenantValueExtraction.lastNameEquals(f["funcname"], "set_config") else { return false }
            any = true
        }
        return any
    }

    private func bindCTEs(_ with: PgNode, _ frame: CTEFrame?) -> CTEFrame {
        let f = CTEFrame(parent: frame, recursive: with["recursive"]?.bool ?? false)
        frames.append(f)
        for c in with["ctes"]?.children ?? PgNode.Children.empty(with.tree) {
            guard let cte = c.as("CommonTableExpr"), let name = cte["ctename"]?.string, let q = cte["ctequery"] else { continue }
            f.defs.append(CTEDef(name: name, query: q, frame: f))
        }
        return f
    }

    /// CTEs nobody referenced are still judged once: a data-modifying CTE runs regardless.
    private func finishCTEs(_ frame: CTEFrame?, from outer: CTEFrame?, depth: Int) {
        guard let frame, frame !== outer else { return }
        for def in frame.defs where !def.referenced {
            _ = expandCTE(def, depth: depth + 1)
        }
    }

    private func findCTE(_ name: String, _ frame: CTEFrame?) -> CTEDef? {
        var f = frame
        while let fr = f {
            if let d = fr.defs.first(where: { $0.name == name }) { return d }
            f = fr.parent
        }
        return nil
    }

    private func expandCTE(_ def: CTEDef, depth: Int) -> Output {
        def.referenced = true
        if def.expanding {
            // The recursive self-reference: rows of earlier iterations, starting from the
            // non-recursive branch. They can confine what joins them, but are not confined by it.
            guard let base = def.selfOutput else { return .empty }
            return Output(branches: [base], opaque: true)
        }
        guard depth < Self.maxQueryDepth else { truncated = true; return .empty }
        def.expanding = true
        defer { def.expanding = false; def.selfOutput = nil }
        if let sel = def.query.as("SelectStmt") {
            return analyzeSelect(sel, parent: nil, frame: def.frame, depth: depth + 1,
                                 recursiveSelf: def.frame.recursive ? def : nil)
        }
        _ = analyzeStatement(def.query, frame: def.frame, parent: nil, depth: depth + 1)
        return .empty
    }

    // MARK: SELECT

    package func analyzeSelect(_ sel: PgNode, parent: Scope?, frame outerFrame: CTEFrame?, depth: Int,
                       recursiveSelf: CTEDef? = nil) -> Output {
        guard depth < Self.maxQueryDepth else { truncated = true; return .empty }
        var frame = outerFrame
        if let w = sel["withClause"] { frame = bindCTEs(w, frame) }
        defer { finishCTEs(frame, from: outerFrame, depth: depth) }
        let saved = (factFrame, factDepth)
        (factFrame, factDepth) = (frame, depth)
        defer { (factFrame, factDepth) = saved }

        if let op = sel["op"], !op.stringEquals("SETOP_NONE") {
            var outs: [Output] = []
            if let l = sel["larg"] {
                let o = analyzeSelect(l, parent: parent, frame: frame, depth: depth + 1)
                if let r = recursiveSelf { r.selfOutput = o }
                outs.append(o)
            }
            if let r = sel["rarg"] { outs.append(analyzeSelect(r, parent: parent, frame: frame, depth: depth + 1)) }
            let s = Scope(parent: parent)
            walk(sel["sortClause"], s, frame, depth)
            walk(sel["limitCount"], s, frame, depth)
            walk(sel["limitOffset"], s, frame, depth)
            return combine(outs, opaque: sel["limitCount"] != nil || sel["limitOffset"] != nil)
        }

        let scope = Scope(parent: parent)
        if let values = sel["valuesLists"] {
            walk(values, scope, frame, depth)
            return .empty
        }
        let start = leaves.count
        var pending: [([Fact], Range<Int>?)] = []
        var quals: [PgNode] = []
        for item in sel["fromClause"]?.children ?? PgNode.Children.empty(sel.tree) {
            _ = addFrom(item, scope, frame, depth, &pending, &quals)
        }
        let level = start..<leaves.count
        for (fs, range) in pending { apply(fs, allowed: range ?? level) }
        if let w = sel["whereClause"] { apply(facts(w, scope, 0), allowed: level) }
        if let h = sel["havingClause"] { apply(facts(h, scope, 0), allowed: level) }

        for q in quals { walk(q, scope, frame, depth) }
        walk(sel["targetList"], scope, frame, depth)
        walk(sel["whereClause"], scope, frame, depth)
        walk(sel["havingClause"], scope, frame, depth)
        walk(sel["groupClause"], scope, frame, depth)
        walk(sel["sortClause"], scope, frame, depth)
        walk(sel["limitCount"], scope, frame, depth)
        walk(sel["limitOffset"], scope, frame, depth)
        walk(sel["windowClause"], scope, frame, depth)
        walk(sel["distinctClause"], scope, frame, depth)

        let out = buildOutput(sel, scope)
        out.opaque = isOpaque(sel)
        return out
    }

    private func combine(_ outs: [Output], opaque: Bool) -> Output {
        guard let first = outs.first else { return .empty }
        let positional = outs.allSatisfy { $0.branches.isEmpty && $0.stars.isEmpty && $0.columns.count == first.columns.count }
        if positional {
            var cols = first.columns.map { (name: $0.name, handles: [Handle]()) }
            for o in outs {
                for (k, c) in o.columns.enumerated() {
                    cols[k].handles += o.opaque ? c.handles.map(\.sourceOnly) : c.handles
                }
            }
            return Output(columns: cols, opaque: opaque)
        }
        return Output(branches: outs, opaque: opaque)
    }

    private static let aggregates: Set<String> = [
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg",
        "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or",
        "bit_xor", "xmlagg", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
        "percentile_cont", "percentile_disc", "mode", "range_agg", "range_intersect_agg",
    ]

    /// An outer predicate cannot be pushed into a query that groups, limits, picks DISTINCT ON
    /// rows or computes window functions: its rows are not a subset of one tenant's rows.
    private func isOpaque(_ sel: PgNode) -> Bool {
        if sel["groupClause"] != nil || sel["havingClause"] != nil || sel["limitCount"] != nil
            || sel["limitOffset"] != nil || sel["groupDistinct"]?.bool == true { return true }
        if let d = sel["distinctClause"] {
            for e in d.children where !(e.kind == .object && e.count == 0) { return true }
        }
        if sel["windowClause"] != nil { return true }
        guard let targets = sel["targetList"] else { return false }
        var stack: [PgNode] = [targets]
        while let n = stack.popLast() {
            if n.kind == .object {
                if n.as("SubLink") != nil { continue }
                if let f = n.as("FuncCall") {
                    if f["over"] != nil || f["agg_star"] != nil || f["agg_filter"] != nil || f["agg_order"] != nil
                        || f["agg_within_group"] != nil || f["agg_distinct"] != nil { return true }
                    if let name = TenantValueExtraction.lastName(f["funcname"]), Self.aggregates.contains(name) { return true }
                }
            }
            if n.kind == .object || n.kind == .array { for c in n.children { stack.append(c) } }
        }
        return false
    }

    private func buildOutput(_ sel: PgNode, _ scope: Scope) -> Output {
        let out = Output()
        for t in sel["targetList"]?.children ?? PgNode.Children.empty(sel.tree) {
            guard let r = t.as("ResTarget") else { continue }
            let name = r["name"]?.string
            guard let val = r["val"] else { out.columns.append((name, [])); continue }
            let v = TenantValueExtraction.strip(val)
            if let cr = v.as("ColumnRef") {
                let (fields, star) = columnFields(cr)
                if star {
                    if fields.isEmpty {
                        out.stars += allItems(scope)
                    } else if let item = findQualified(fields, scope) {
                        out.stars.append(item)
                    }
                } else if let c = fields.last {
                    out.columns.append((name ?? c, resolve(fields, scope, predicate: false)))
                }
            } else {
                out.columns.append((name, []))
            }
        }
        return out
    }

    private func allItems(_ scope: Scope) -> [Item] { scope.items }

    // MARK: FROM

    @discardableResult
    private func addFrom(_ n: PgNode, _ scope: Scope, _ frame: CTEFrame?, _ depth: Int,
                         _ pending: inout [([Fact], Range<Int>?)], _ quals: inout [PgNode]) -> (items: Range<Int>, leaves: Range<Int>) {
        let itemStart = scope.items.count, leafStart = leaves.count
        if let rv = n.as("RangeVar") {
            addRangeVar(rv, scope, frame, depth)
        } else if let ts = n.as("RangeTableSample"), let rv = ts["relation"]?.as("RangeVar") {
            addRangeVar(rv, scope, frame, depth)
        } else if let rs = n.as("RangeSubselect") {
            let lateral = rs["lateral"]?.bool ?? false
            var out = Output.empty
            if let sub = rs["subquery"] {
                if let s = sub.as("SelectStmt") {
                    out = analyzeSelect(s, parent: lateral ? scope : scope.parent, frame: frame, depth: depth + 1)
                } else {
                    _ = analyzeStatement(sub, frame: frame, parent: lateral ? scope : scope.parent, depth: depth + 1)
                }
            }
            let alias = rs["alias"]
            if let colnames = alias?["colnames"] {
                var k = 0
                for c in colnames.children {
                    if k < out.columns.count, let s = c.as("String")?["sval"]?.string { out.columns[k].name = s }
                    k += 1
                }
            }
            scope.items.append(Item(refName: alias?["aliasname"]?.string ?? "", kind: .derived(out)))
        } else if let j = n.as("JoinExpr") {
            var l = (items: scope.items.count..<scope.items.count, leaves: leaves.count..<leaves.count)
            var r = l
            if let ln = j["larg"] { l = addFrom(ln, scope, frame, depth, &pending, &quals) }
            if let rn = j["rarg"] { r = addFrom(rn, scope, frame, depth, &pending, &quals) }
            let type = j["jointype"]
            let isLeft = type?.stringEquals("JOIN_LEFT") == true
            let isRight = type?.stringEquals("JOIN_RIGHT") == true
            let isFull = type?.stringEquals("JOIN_FULL") == true
            let allowed: Range<Int>? = isLeft ? r.leaves : isRight ? l.leaves : isFull ? 0..<0 : nil
            var fs: [Fact] = []
            if let q = j["quals"] {
                fs += facts(q, scope, 0)
                quals.append(q)
            }
            var using: [String] = []
            for u in j["usingClause"]?.children ?? PgNode.Children.empty(j.tree) {
                if let s = u.as("String")?["sval"]?.string { using.append(s) }
            }
            if j["isNatural"]?.bool == true {
                for c in schema.tenantColumns where sideHas(c, scope, l.items) && sideHas(c, scope, r.items) { using.append(c) }
            }
            for c in using {
                let lh = sideHandles(c, scope, l.items), rh = sideHandles(c, scope, r.items)
                fs.append(.equal(lh, rh))
                let merged = isFull ? [] : isLeft ? lh : isRight ? rh : lh + rh
                scope.merged.append(Merge(column: c, items: itemStart..<scope.items.count, handles: merged))
            }
            pending.append((fs, allowed))
        } else if let rf = n.as("RangeFunction") {
            walk(rf["functions"], scope, frame, depth)
            scope.items.append(Item(refName: rf["alias"]?["aliasname"]?.string ?? "", kind: .opaque))
        }
        return (itemStart..<scope.items.count, leafStart..<leaves.count)
    }

    private func addRangeVar(_ rv: PgNode, _ scope: Scope, _ frame: CTEFrame?, _ depth: Int) {
        guard let relname = rv["relname"]?.string else { return }
        let schemaName = rv["schemaname"]?.string
        let alias = rv["alias"]?["aliasname"]?.string
        if schemaName == nil, let def = findCTE(relname, frame) {
            let out = expandCTE(def, depth: depth + 1)
            scope.items.append(Item(refName: alias ?? relname, kind: .derived(out)))
            return
        }
        let table = TableName(schema: schemaName, name: relname)
        let leaf = newLeaf(table, refName: alias ?? relname, isWrite: false, judged: true)
        scope.items.append(Item(refName: alias ?? relname, kind: .table(leaf: leaf, table: table, aliased: alias != nil)))
    }

    package func newLeaf(_ table: TableName, refName: String, isWrite: Bool, judged: Bool) -> Int {
        leaves.append(Leaf(table: table, refName: refName, isWrite: isWrite, judged: judged))
        return leaves.count - 1
    }

    private func sideHas(_ c: String, _ scope: Scope, _ items: Range<Int>) -> Bool {
        items.contains { lookup(scope.items[$0], c, mark: false).has == true }
    }

    private func sideHandles(_ c: String, _ scope: Scope, _ items: Range<Int>) -> [Handle] {
        var hs: [Handle] = []
        for k in items where lookup(scope.items[k], c, mark: false).has != false {
            hs += lookup(scope.items[k], c, mark: true).handles
        }
        return hs
    }

    // MARK: INSERT / UPDATE / DELETE / MERGE / COPY

    private func analyzeInsert(_ ins: PgNode, parent: Scope?, frame outerFrame: CTEFrame?, depth: Int) {
        var frame = outerFrame
        if let w = ins["withClause"] { frame = bindCTEs(w, frame) }
        defer { finishCTEs(frame, from: outerFrame, depth: depth) }
        guard let rv = ins["relation"], let table = TableName(rangeVar: rv) else { return }
        let refName = rv["alias"]?["aliasname"]?.string ?? table.name
        var cols: [String] = []
        for c in ins["cols"]?.children ?? PgNode.Children.empty(ins.tree) {
            if let n = c.as("ResTarget")?["name"]?.string { cols.append(n) }
        }
        let scope = Scope(parent: parent)
        let sel = ins["selectStmt"]?.as("SelectStmt")
        let isValues = sel.map { $0["valuesLists"] != nil && ($0["op"]?.stringEquals("SETOP_NONE") ?? true) } ?? true
        let leaf = newLeaf(table, refName: refName, isWrite: true, judged: isValues)
        if cols.contains(where: schema.isTenantColumn) { leaves[leaf].mentioned = true }
        scope.items.append(Item(refName: refName, kind: .table(leaf: leaf, table: table, aliased: refName != table.name)))

        if let sel, !isValues {
            let out = analyzeSelect(sel, parent: parent, frame: frame, depth: depth + 1)
            judgeInsertTarget(leaf, table: table, cols: cols, select: sel, output: out)
        } else {
            let tenantIndex: Int? = cols.isEmpty
                ? schema.info(table)?.columns.firstIndex(where: schema.isTenantColumn)
                : cols.firstIndex(where: schema.isTenantColumn)
            var values: Set<TenantValue> = []
            var expression = false
            if let lists = sel?["valuesLists"], let idx = tenantIndex {
                for row in lists.children {
                    var k = 0
                    var found = false
                    for e in row.as("List")?["items"]?.children ?? PgNode.Children.empty(ins.tree) {
                        if k == idx {
                            found = true
                            if let v = TenantValueExtraction.value(e, sql: sql) { values.insert(v) } else { expression = true }
                        }
                        k += 1
                    }
                    if !found { expression = true }
                }
                walk(lists, scope, frame, depth)
            }
            if tenantIndex == nil, sel != nil, let chain = schema.chain(table) {
                // A child row: its tenant is its parent's, named by the parent key it is given.
                let link = chain.links[0]
                let given = cols.isEmpty ? (schema.info(table)?.columns ?? []) : cols
                if link.columns.allSatisfy(given.contains) {
                    leaves[leaf].keyed = true
                } else {
                    leaves[leaf].forced = .unscoped
                    notes.append("INSERT into \(table) sets no parent key (\(link.columns.joined(separator: ", ")))")
                }
            } else if tenantIndex == nil || sel == nil {
                leaves[leaf].forced = .unscoped
                notes.append("INSERT into \(table) sets no tenant column")
            } else if expression {
                leaves[leaf].forced = .unscoped
                notes.append("INSERT into \(table) takes its tenant column from an expression")
            } else {
                leaves[leaf].pins = values
            }
        }

        if let oc = ins["onConflictClause"], oc["action"]?.stringEquals("ONCONFLICT_UPDATE") == true {
            var names: [String] = []
            for e in oc["infer"]?["indexElems"]?.children ?? PgNode.Children.empty(ins.tree) {
                if let n = e.as("IndexElem")?["name"]?.string { names.append(n) }
            }
            if !names.isEmpty, !names.contains(where: schema.isTenantColumn), leaves[leaf].judged {
                leaves[leaf].pins = nil
                leaves[leaf].forced = nil
                notes.append("ON CONFLICT (\(names.joined(separator: ", "))) DO UPDATE can update a row of another tenant")
            }
            walk(oc["targetList"], scope, frame, depth)
            walk(oc["whereClause"], scope, frame, depth)
        }
        walk(ins["returningList"], scope, frame, depth)
    }

    /// INSERT ... SELECT: the SELECT is judged; the target too when the SELECT's column feeding
    /// its tenant column is a constant/parameter (a pin) or a tenant column of a read table (the
    /// read table's pin flows into the target). Anything else leaves the target unjudged.
    private func judgeInsertTarget(_ leaf: Int, table: TableName, cols: [String], select sel: PgNode, output: Output) {
        let tenantIndex: Int? = cols.isEmpty
            ? schema.info(table)?.columns.firstIndex(where: schema.isTenantColumn)
            : cols.firstIndex(where: schema.isTenantColumn)
        guard let idx = tenantIndex, output.branches.isEmpty, output.stars.isEmpty, idx < output.columns.count,
              let op = sel["op"], op.stringEquals("SETOP_NONE"), let targets = sel["targetList"] else { return }
        var k = 0
        for t in targets.children {
            defer { k += 1 }
            guard k == idx, let val = t.as("ResTarget")?["val"] else { continue }
            if let v = TenantValueExtraction.value(val, sql: sql) {
                leaves[leaf].judged = true
                leaves[leaf].pins = [v]
            } else if output.columns[idx].handles.contains(where: { $0.column == nil }) {
                leaves[leaf].judged = true
                for h in output.columns[idx].handles where h.column == nil { edges.append((h.leaf, leaf)) }
            }
        }
    }

    private func analyzeModify(_ n: PgNode, from key: StaticString, parent: Scope?, frame outerFrame: CTEFrame?, depth: Int) {
        var frame = outerFrame
        if let w = n["withClause"] { frame = bindCTEs(w, frame) }
        defer { finishCTEs(frame, from: outerFrame, depth: depth) }
        let saved = (factFrame, factDepth)
        (factFrame, factDepth) = (frame, depth)
        defer { (factFrame, factDepth) = saved }
        guard let rv = n["relation"], let table = TableName(rangeVar: rv) else { return }
        let alias = rv["alias"]?["aliasname"]?.string
        let scope = Scope(parent: parent)
        let start = leaves.count
        let leaf = newLeaf(table, refName: alias ?? table.name, isWrite: true, judged: true)
        scope.items.append(Item(refName: alias ?? table.name, kind: .table(leaf: leaf, table: table, aliased: alias != nil)))
        var pending: [([Fact], Range<Int>?)] = []
        var quals: [PgNode] = []
        for item in n[key]?.children ?? PgNode.Children.empty(n.tree) {
            _ = addFrom(item, scope, frame, depth, &pending, &quals)
        }
        let level = start..<leaves.count
        for (fs, range) in pending { apply(fs, allowed: range ?? level) }
        if let w = n["whereClause"] { apply(facts(w, scope, 0), allowed: level) }
        for q in quals { walk(q, scope, frame, depth) }
        walk(n["targetList"], scope, frame, depth)
        walk(n["whereClause"], scope, frame, depth)
        walk(n["returningList"], scope, frame, depth)
    }

    private func analyzeMerge(_ n: PgNode, parent: Scope?, frame outerFrame: CTEFrame?, depth: Int) {
        var frame = outerFrame
        if let w = n["withClause"] { frame = bindCTEs(w, frame) }
        defer { finishCTEs(frame, from: outerFrame, depth: depth) }
        let saved = (factFrame, factDepth)
        (factFrame, factDepth) = (frame, depth)
        defer { (factFrame, factDepth) = saved }
        guard let rv = n["relation"], let table = TableName(rangeVar: rv) else { return }
        let alias = rv["alias"]?["aliasname"]?.string
        let scope = Scope(parent: parent)
        let start = leaves.count
        let leaf = newLeaf(table, refName: alias ?? table.name, isWrite: true, judged: true)
        scope.items.append(Item(refName: alias ?? table.name, kind: .table(leaf: leaf, table: table, aliased: alias != nil)))
        var pending: [([Fact], Range<Int>?)] = []
        var quals: [PgNode] = []
        if let src = n["sourceRelation"] { _ = addFrom(src, scope, frame, depth, &pending, &quals) }
        let level = start..<leaves.count
        for (fs, range) in pending { apply(fs, allowed: range ?? level) }
        if let j = n["joinCondition"] { apply(facts(j, scope, 0), allowed: level) }
        for q in quals { walk(q, scope, frame, depth) }
        walk(n["joinCondition"], scope, frame, depth)
        walk(n["mergeWhenClauses"], scope, frame, depth)
    }

    private func analyzeCopy(_ n: PgNode, frame: CTEFrame?, depth: Int) {
        if let q = n["query"] {
            _ = analyzeStatement(q, frame: frame, parent: nil, depth: depth + 1)
            return
        }
        guard let rv = n["relation"], let table = TableName(rangeVar: rv) else { return }
        let isFrom = n["is_from"]?.bool ?? false
        let leaf = newLeaf(table, refName: table.name, isWrite: isFrom, judged: !isFrom)
        if !isFrom {
            leaves[leaf].forced = .unscoped
            notes.append("COPY \(table) TO reads every row")
        }
    }

    // MARK: predicates

    package func facts(_ e: PgNode, _ scope: Scope, _ depth: Int) -> [Fact] {
        guard depth < Self.maxExprDepth else { return [] }
        if let b = e.as("BoolExpr") {
            guard let op = b["boolop"], let args = b["args"] else { return [] }
            if op.stringEquals("AND_EXPR") {
                var out: [Fact] = []
                for a in args.children { out += facts(a, scope, depth + 1) }
                return out
            }
            if op.stringEquals("OR_EXPR") {
                // A leaf is confined by an OR only when every branch confines it; to the union.
                var combined: [Handle: (Handle, Set<TenantValue>)]?
                for a in args.children {
                    var branch: [Handle: (Handle, Set<TenantValue>)] = [:]
                    for f in facts(a, scope, depth + 1) {
                        guard case .pin(let hs, let vals) = f else { continue }
                        for h in hs where h.pinnable {
                            if let ex = branch[h], ex.1.count <= vals.count { continue }
                            branch[h] = (h, vals)
                        }
                    }
                    if let c = combined {
                        var next: [Handle: (Handle, Set<TenantValue>)] = [:]
                        for (leaf, v) in c { if let w = branch[leaf] { next[leaf] = (v.0, v.1.union(w.1)) } }
                        combined = next
                    } else {
                        combined = branch
                    }
                    if combined?.isEmpty == true { return [] }
                }
                return (combined ?? [:]).values.map { .pin([$0.0], $0.1) }
            }
            return []   // NOT (...) confines nothing, whatever is inside
        }
        if let sl = e.as("SubLink") {
            if sl["subLinkType"]?.stringEquals("EXISTS_SUBLINK") == true { return existsFacts(sl, scope) }
            let flows = inSubqueryFacts(sl, scope)
            if !flows.isEmpty { return flows }
            // `tenant_id IN (SELECT tenant_id FROM t WHERE tenant_id = 2)` whose columns do not
            // line up as flows: confined to what the subquery can return (`SubqueryTenantValues`).
            guard sl["subLinkType"]?.stringEquals("ANY_SUBLINK") == true,
                  sl["operName"].map({ TenantValueExtraction.lastNameEquals($0, "=") }) ?? true,
                  let t = sl["testexpr"], let lh = columnHandles(TenantValueExtraction.strip(t), scope),
                  let sub = sl["subselect"], let vals = SubqueryTenantValues.values(of: sub, sql: sql) else { return [] }
            return [.pin(lh, vals)]
        }
        guard let a = e.as("A_Expr"), let kind = a["kind"],
              TenantValueExtraction.lastNameEquals(a["name"], "=") else { return [] }
        let l = a["lexpr"].map(TenantValueExtraction.strip)
        let r = a["rexpr"].map(TenantValueExtraction.strip)
        if kind.stringEquals("AEXPR_OP") || kind.stringEquals("AEXPR_NOT_DISTINCT") {
            guard let l, let r else { return [] }
            // `(tenant_id, id) = ($1, $2)` is the conjunction of its element equalities.
            if let lr = l.as("RowExpr")?["args"], let rr = r.as("RowExpr")?["args"], lr.count == rr.count {
                var out: [Fact] = []
                for (x, y) in zip(lr.children, rr.children) {
                    out += equalityFacts(TenantValueExtraction.strip(x), TenantValueExtraction.strip(y), scope)
                }
                return out
            }
            return equalityFacts(l, r, scope)
        }
        if kind.stringEquals("AEXPR_IN") {
            guard let l, let r, let lh = columnHandles(l, scope), let list = r.as("List")?["items"],
                  let vals = TenantValueExtraction.listValues(list, sql: sql) else { return [] }
            return [.pin(lh, vals)]
        }
        if kind.stringEquals("AEXPR_OP_ANY") {
            guard let l, let r, let lh = columnHandles(l, scope) else { return [] }
            var vals: Set<TenantValue> = []
            if let arr = r.as("A_ArrayExpr") {
                for el in arr["elements"]?.children ?? PgNode.Children.empty(r.tree) {
                    guard let v = TenantValueExtraction.value(el, sql: sql) else { return [] }
                    vals.insert(v)
                }
            } else if let text = r.as("A_Const")?["sval"]?["sval"]?.string,
                      let elements = TenantValueExtraction.arrayLiteralElements(text) {
                for el in elements { vals.insert(.literal(el)) }
            }
            // `= ANY($1)`: an array parameter can hold any number of tenants.
            return vals.isEmpty ? [] : [.pin(lh, vals)]
        }
        return []
    }

    /// `x IN (SELECT y ...)` / `x = ANY (SELECT y ...)`, or the row form `(a, b) IN (SELECT x, y ...)`:
    /// the subquery is analysed here (not again by the generic walk) so its output columns can be
    /// lined up with the tested ones. Its rows confine the outer ones that match them.
    private func inSubqueryFacts(_ sl: PgNode, _ scope: Scope) -> [Fact] {
        guard sl["subLinkType"]?.stringEquals("ANY_SUBLINK") == true,
              sl["operName"] == nil || TenantValueExtraction.lastNameEquals(sl["operName"], "="),
              let test = sl["testexpr"].map(TenantValueExtraction.strip),
              let sub = sl["subselect"]?.as("SelectStmt"), !consumedSublinks.contains(sl.index) else { return [] }
        var tested: [PgNode] = []
        if let row = test.as("RowExpr")?["args"] {
            for a in row.children { tested.append(TenantValueExtraction.strip(a)) }
        } else {
            tested = [test]
        }
        consumedSublinks.insert(sl.index)
        let out = analyzeSelect(sub, parent: scope, frame: factFrame, depth: factDepth + 1)
        guard out.branches.isEmpty, out.stars.isEmpty, out.columns.count == tested.count else {
            if !out.branches.isEmpty {
                var fs: [Fact] = []
                // A UNION inside IN: matched by position only when every branch lines up.
                for b in out.branches where b.columns.count == tested.count && b.stars.isEmpty && b.branches.isEmpty {
                    for (k, t) in tested.enumerated() {
                        if let th = columnHandles(t, scope) { fs.append(.flows(from: b.columns[k].handles, to: th)) }
                    }
                }
                return out.branches.allSatisfy({ $0.columns.count == tested.count && $0.stars.isEmpty && $0.branches.isEmpty }) ? fs : []
            }
            return []
        }
        var fs: [Fact] = []
        for (k, t) in tested.enumerated() {
            guard let th = columnHandles(t, scope) else { continue }
            fs.append(.flows(from: out.columns[k].handles, to: th))
        }
        return fs
    }

    /// `EXISTS (SELECT ... FROM invoices i WHERE i.id = li.invoice_id AND i.tenant_id = $1)` in a
    /// top-level AND: an outer row survives only when a confined parent row it references exists,
    /// so a whole foreign key correlated this way confines the outer child like a join does. Only
    /// key equalities cross (tenant columns keep the rule that a correlated subquery confines
    /// nothing outside), only from the subquery's own level, and not when it aggregates or groups
    /// (`EXISTS (SELECT count(*) ...)` is always true).
    private func existsFacts(_ sl: PgNode, _ scope: Scope) -> [Fact] {
        guard let sub = sl["subselect"]?.as("SelectStmt"), !consumedSublinks.contains(sl.index) else { return [] }
        consumedSublinks.insert(sl.index)
        let saved = existsCapture
        existsCapture = (factDepth + 1, [])
        _ = analyzeSelect(sub, parent: scope, frame: factFrame, depth: factDepth + 1)
        let captured = existsCapture?.equalities ?? []
        existsCapture = saved
        guard sub["op"]?.stringEquals("SETOP_NONE") ?? true, !isOpaque(sub) else { return [] }
        return captured.map { .keyFlow($0) }
    }

    private func equalityFacts(_ l: PgNode, _ r: PgNode, _ scope: Scope) -> [Fact] {
        let lh = columnHandles(l, scope), rh = columnHandles(r, scope)
        if let lh, let rh { return [.equal(lh, rh)] }
        if let lh, let v = TenantValueExtraction.value(r, sql: sql) { return [.pin(lh, [v])] }
        if let rh, let v = TenantValueExtraction.value(l, sql: sql) { return [.pin(rh, [v])] }
        // `tenant_id = (SELECT tenant_id FROM t WHERE tenant_id = 2)`: a scalar subquery.
        if let lh, let vals = scalarSubqueryValues(r) { return [.pin(lh, vals)] }
        if let rh, let vals = scalarSubqueryValues(l) { return [.pin(rh, vals)] }
        return []
    }

    private func scalarSubqueryValues(_ n: PgNode) -> Set<TenantValue>? {
        guard let sl = n.as("SubLink"), sl["subLinkType"]?.stringEquals("EXPR_SUBLINK") == true,
              let sub = sl["subselect"] else { return nil }
        return SubqueryTenantValues.values(of: sub, sql: sql)
    }

    private func columnHandles(_ n: PgNode, _ scope: Scope) -> [Handle]? {
        guard let cr = n.as("ColumnRef") else { return nil }
        let (fields, star) = columnFields(cr)
        if star || fields.isEmpty { return [] }
        return resolve(fields, scope, predicate: true)
    }

    package func apply(_ facts: [Fact], allowed: Range<Int>) {
        for f in facts {
            switch f {
            case .pin(let hs, let vals):
                for h in hs where h.pinnable && allowed.contains(h.leaf) {
                    if let c = h.column { keyPin(h.leaf, c, vals) } else { pin(h.leaf, vals) }
                }
            case .equal(let a, let b):
                for x in a {
                    for y in b where x.leaf != y.leaf {
                        if y.pinnable && allowed.contains(y.leaf) { link(x, y) }
                        if x.pinnable && allowed.contains(x.leaf) { link(y, x) }
                        captureCorrelated(x, y, allowed)
                        captureCorrelated(y, x, allowed)
                    }
                }
            case .keyFlow(let k):
                if allowed.contains(k.to) { keyEqualities.append(k) }
            case .flows(let from, let to):
                // `id IN (SELECT ...)` finds rows by key values, wherever they come from.
                for y in to where y.column != nil && y.pinnable && allowed.contains(y.leaf) { leaves[y.leaf].keyed = true }
                for x in from {
                    for y in to where x.leaf != y.leaf && y.pinnable && allowed.contains(y.leaf) { link(x, y) }
                }
            }
        }
    }

    /// Inside an `EXISTS` subquery's own level: a key equality from one of its leaves to a leaf
    /// outside it (before it, in leaf order), for `existsFacts` to hand to the outer query.
    private func captureCorrelated(_ from: Handle, _ to: Handle, _ allowed: Range<Int>) {
        guard let cap = existsCapture, cap.depth == factDepth, let fc = from.column, let tc = to.column,
              allowed.contains(from.leaf), !allowed.contains(to.leaf), to.leaf < allowed.lowerBound else { return }
        existsCapture?.equalities.append(KeyEquality(from: from.leaf, fromColumn: fc, to: to.leaf, toColumn: tc))
    }

    /// `to` may take `from`'s confinement: tenant column to tenant column directly; key to key
    /// only where a foreign key joins them (decided in `propagate`).
    private func link(_ from: Handle, _ to: Handle) {
        switch (from.column, to.column) {
        case (nil, nil): edges.append((from.leaf, to.leaf))
        case (let f?, let t?): keyEqualities.append(KeyEquality(from: from.leaf, fromColumn: f, to: to.leaf, toColumn: t))
        default: break
        }
    }

    /// A key column equal to a value: the leaf is found by its own key. On the caller table's key
    /// (one value) the row is the caller's own, which confines it to the caller's tenant.
    private func keyPin(_ leaf: Int, _ column: String, _ vals: Set<TenantValue>) {
        leaves[leaf].keyed = true
        let table = leaves[leaf].table
        if let caller = schema.caller {
            if caller.table == table, caller.key == column, vals.count == 1, let v = vals.first {
                pin(leaf, [.caller("\(table).\(column) = \(v)")])
            }
        } else if vals.count == 1, let v = vals.first, schema.isRootOwned(table), schema.primaryKeys[table] == [column] {
            callerCandidates[leaf] = "\(table).\(column) = \(v)"
        }
    }

    private func pin(_ leaf: Int, _ vals: Set<TenantValue>) {
        if let p = leaves[leaf].pins, p.count <= vals.count { return }
        leaves[leaf].pins = vals
    }

    /// Pins flow along equalities until nothing changes (at most one round per leaf).
    package func propagate() {
        keyEdges()
        guard !edges.isEmpty else { return }
        // A row joined along an edge to a row found by its key is found by that key too
        // (`invoices WHERE id = $1` joined to its `line_items`): unconfined, not unfiltered.
        var keyedChanged = true
        while keyedChanged {
            keyedChanged = false
            for e in edges where leaves[e.from].keyed && !leaves[e.to].keyed {
                leaves[e.to].keyed = true
                keyedChanged = true
            }
        }
        for _ in 0...leaves.count {
            var changed = false
            for e in edges {
                guard let p = leaves[e.from].pins else { continue }
                if let q = leaves[e.to].pins, q.count <= p.count { continue }
                leaves[e.to].pins = p
                changed = true
            }
            if !changed { return }
        }
    }

    /// Key equalities that complete a foreign key become edges: a child row joined to a confined
    /// parent on the whole key is that parent's tenant's, and so is the parent row a confined child
    /// references. A self-referencing key (`manager_id -> employees.id`) works the same way.
    private func keyEdges() {
        guard !keyEqualities.isEmpty else { return }
        var pairs: [Int: [Int: Set<[String]>]] = [:]   // from -> to -> {[fromColumn, toColumn]}
        for k in keyEqualities { pairs[k.from, default: [:]][k.to, default: []].insert([k.fromColumn, k.toColumn]) }
        for (from, targets) in pairs {
            let fromTable = leaves[from].table
            for (to, cols) in targets {
                let toTable = leaves[to].table
                // Only a child without a tenant column of its own is its parent's tenant's by
                // definition; one with its own column (`order_items.tenant_id`) may disagree with
                // its parent, and is confined only through that column.
                // `to` is the child: its key columns equal the parent's referenced ones.
                let down = !schema.isRootOwned(toTable) && schema.foreignKeys(from: toTable).contains { fk in
                    fk.parent == fromTable && zip(fk.parentColumns, fk.columns).allSatisfy { cols.contains([$0.0, $0.1]) }
                }
                // `to` is the parent: the confined child `from` references it.
                let up = !down && !schema.isRootOwned(fromTable) && schema.foreignKeys(from: fromTable).contains { fk in
                    fk.parent == toTable && zip(fk.columns, fk.parentColumns).allSatisfy { cols.contains([$0.0, $0.1]) }
                }
                if down || up { edges.append((from, to)) }
            }
        }
    }

    // MARK: names

    private func columnFields(_ cr: PgNode) -> ([String], Bool) {
        var fields: [String] = []
        var star = false
        for f in cr["fields"]?.children ?? PgNode.Children.empty(cr.tree) {
            if let s = f.as("String")?["sval"]?.string { fields.append(s) } else if f.as("A_Star") != nil { star = true }
        }
        return (fields, star)
    }

    private func lookup(_ item: Item, _ c: String, mark: Bool) -> (has: Bool?, handles: [Handle]) {
        switch item.kind {
        case .table(let leaf, let table, _):
            let has = schema.hasColumn(table, c)
            guard has != false else { return (has, []) }
            guard schema.isTenantColumn(c) else {
                return followsKeys && wantsKey(table, c) ? (has, [Handle(leaf: leaf, pinnable: true, column: c)]) : (has, [])
            }
            if mark { leaves[leaf].mentioned = true }
            return (has, [Handle(leaf: leaf, pinnable: true)])
        case .derived(let out):
            return lookup(out, c, mark: mark, depth: 0)
        case .opaque:
            return (false, [])
        }
    }

    private func lookup(_ out: Output, _ c: String, mark: Bool, depth: Int) -> (has: Bool?, handles: [Handle]) {
        guard depth < Self.maxQueryDepth else { return (false, []) }
        var has: Bool? = false
        var hs: [Handle] = []
        if !out.branches.isEmpty {
            for (k, b) in out.branches.enumerated() {
                let r = lookup(b, c, mark: mark, depth: depth + 1)
                if k == 0 { has = r.has }
                hs += r.handles
            }
        } else if let col = out.columns.first(where: { $0.name == c }) {
            has = true
            hs = col.handles
        } else {
            for s in out.stars {
                let r: (has: Bool?, handles: [Handle])
                if case .derived(let inner) = s.kind { r = lookup(inner, c, mark: mark, depth: depth + 1) } else { r = lookup(s, c, mark: mark) }
                if r.has == true { has = true } else if r.has == nil, has == false { has = nil }
                hs += r.handles
            }
        }
        if out.opaque { hs = hs.map(\.sourceOnly) }
        return (has, hs)
    }

    private func findQualified(_ fields: [String], _ scope: Scope) -> Item? {
        guard let q = fields.last else { return nil }
        let schemaName: String? = fields.count >= 2 ? fields[fields.count - 2] : nil
        var s: Scope? = scope
        while let sc = s {
            for item in sc.items where item.refName == q {
                if let schemaName {
                    guard case .table(_, let table, let aliased) = item.kind, !aliased, table.schema == schemaName else { continue }
                }
                return item
            }
            s = sc.parent
        }
        return nil
    }

    /// Handles of the tenant-carrying leaves a column reference denotes. A bare name is resolved
    /// among the items that (may) have it: one candidate wins; several are ambiguous (as in SQL)
    /// unless a USING/NATURAL join merged them, and confine nothing (said in the reason).
    package func resolve(_ fields: [String], _ scope: Scope, predicate: Bool) -> [Handle] {
        guard let c = fields.last else { return [] }
        if fields.count >= 2 {
            guard let item = findQualified(Array(fields.dropLast()), scope) else { return [] }
            return lookup(item, c, mark: true).handles
        }
        let isTenant = schema.isTenantColumn(c)
        var s: Scope? = scope
        while let sc = s {
            var definite: [Int] = [], unknown: [Int] = []
            for (k, item) in sc.items.enumerated() {
                if case .table(_, let table, _) = item.kind, !isTenant {
                    // A key column counts where the dump says the table has it, or, for a table
                    // the dump does not define (`[tenancy] parents` alone), where it is a key.
                    guard followsKeys else { continue }
                    let has = schema.hasColumn(table, c)
                    guard has == true || (has == nil && wantsKey(table, c)) else { continue }
                }
                switch lookup(item, c, mark: false).has {
                case true?: definite.append(k)
                case nil: unknown.append(k)
                case false?: break
                }
            }
            let candidates = definite.isEmpty ? unknown : definite
            if candidates.count == 1 { return lookup(sc.items[candidates[0]], c, mark: true).handles }
            if candidates.count > 1 {
                if let m = sc.merged.last(where: { $0.column == c && candidates.allSatisfy($0.items.contains) }) {
                    for k in candidates { _ = lookup(sc.items[k], c, mark: true) }
                    return m.handles
                }
                if predicate && isTenant {
                    let names = candidates.map { sc.items[$0].refName }.joined(separator: ", ")
                    notes.append("unqualified \(c) is ambiguous between \(names); it confines none of them")
                }
                return []
            }
            s = sc.parent
        }
        return []
    }

    // MARK: generic walk

    /// Visits every node of an expression without recursion: subqueries (SubLink) found anywhere
    /// are analysed as items of their own, `set_config` calls are recorded, and tenant column
    /// references mark their table as mentioned (the no-schema fallback).
    package func walk(_ node: PgNode?, _ scope: Scope, _ frame: CTEFrame?, _ depth: Int) {
        guard let node else { return }
        var stack: [PgNode] = [node]
        while let n = stack.popLast() {
            if n.kind == .object {
                if let sl = n.as("SubLink") {
                    if let t = sl["testexpr"] { stack.append(t) }
                    if consumedSublinks.contains(sl.index) { continue }
                    if let sub = sl["subselect"] {
                        if let s = sub.as("SelectStmt") {
                            _ = analyzeSelect(s, parent: scope, frame: frame, depth: depth + 1)
                        } else {
                            _ = analyzeStatement(sub, frame: frame, parent: scope, depth: depth + 1)
                        }
                    }
                    continue
                }
                if let s = n.as("SelectStmt") {
                    _ = analyzeSelect(s, parent: scope, frame: frame, depth: depth + 1)
                    continue
                }
                if let cr = n.as("ColumnRef") {
                    let (fields, star) = columnFields(cr)
                    if !star, let last = fields.last, schema.isTenantColumn(last) {
                        _ = resolve(fields, scope, predicate: false)
                    }
                    continue
                }
                if let f = n.as("FuncCall") { recordSetConfig(f) }
            }
            if n.kind == .object || n.kind == .array {
                for c in n.children { stack.append(c) }
            }
        }
    }

    private func recordSetConfig(_ f: PgNode) {
        guard TenantValueExtraction.lastNameEquals(f["funcname"], "set_config"), let args = f["args"] else { return }
        var it = args.children
        guard let nameNode = it.next(), let valueNode = it.next(),
              let name = TenantValueExtraction.strip(nameNode).as("A_Const")?["sval"]?["sval"]?.string,
              name.lowercased() == schema.sessionSetting else { return }
        let local = it.next().flatMap { TenantValueExtraction.strip($0).as("A_Const")?["boolval"]?["boolval"]?.bool } ?? false
        if TenantValueExtraction.strip(valueNode).as("A_Const")?["isnull"]?.bool == true {
            sessionChanges.append(.reset)
        } else if let v = TenantValueExtraction.value(valueNode, sql: sql) {
            sessionChanges.append(.set(v, local: local))
        }
    }
}
