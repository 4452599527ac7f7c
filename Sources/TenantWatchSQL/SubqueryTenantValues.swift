/// The tenant values a scalar or `IN` subquery can return, read from its parse tree.
///
/// `tenant_id IN (SELECT tenant_id FROM customers WHERE tenant_id = 'globex')` and
/// `tenant_id = (SELECT tenant_id FROM customers WHERE tenant_id = 'globex' LIMIT 1)` confine the
/// outer column to `globex`: the subquery returns its one column only from rows where that very
/// column equals `globex` (PostgreSQL semantics: its output is a subset of the pinned values).
///
/// Only the unambiguous shape is read: one output column that is a plain column reference, one
/// relation in FROM (no join, no set operation, no grouping that could rename it), and a WHERE
/// whose top-level AND confines that same column (by name, and by qualifier when it has one) to
/// constants or parameters (`=`, `IN (...)`, NULLs in the list ignored). Anything else returns
/// nil: the outer column is then not confined by the subquery, as before.
package enum SubqueryTenantValues {
    package static func values(of subselect: PgNode, sql: SQLBytes) -> Set<TenantValue>? {
        guard let sel = subselect.as("SelectStmt"),
              sel["larg"] == nil, sel["rarg"] == nil,
              let targets = sel["targetList"], targets.count == 1,
              let target = first(targets)?.as("ResTarget")?["val"],
              let column = TenantValueExtraction.strip(target).as("ColumnRef"),
              let from = sel["fromClause"], from.count == 1,
              let relation = first(from)?.as("RangeVar"),
              let whereClause = sel["whereClause"] else { return nil }
        let outName = fields(column)
        guard let name = outName.last else { return nil }
        let alias = relation["alias"]?["aliasname"]?.string ?? relation["relname"]?.string
        var pinned: Set<TenantValue>?
        for fact in conjuncts(whereClause) {
            guard let vals = pins(fact, column: name, qualifier: outName.count > 1 ? outName[outName.count - 2] : nil,
                                  alias: alias, sql: sql) else { continue }
            pinned = pinned.map { $0.intersection(vals) } ?? vals
        }
        guard let pinned, !pinned.isEmpty else { return nil }
        return pinned
    }

    private static func first(_ list: PgNode) -> PgNode? {
        var it = list.children
        return it.next()
    }

    private static func fields(_ columnRef: PgNode) -> [String] {
        var out: [String] = []
        for f in columnRef["fields"]?.children ?? PgNode.Children.empty(columnRef.tree) {
            guard let s = f.as("String")?["sval"]?.string else { return [] }   // `*` is no column
            out.append(s)
        }
        return out
    }

    /// The top-level AND terms of a WHERE clause.
    private static func conjuncts(_ e: PgNode) -> [PgNode] {
        var out: [PgNode] = []
        var stack = [e]
        while let n = stack.popLast(), out.count < 256 {
            if let b = n.as("BoolExpr"), b["boolop"]?.stringEquals("AND_EXPR") == true, let args = b["args"] {
                for a in args.children { stack.append(a) }
            } else {
                out.append(n)
            }
        }
        return out
    }

    /// Does this column reference name the subquery's output column?
    private static func isColumn(_ node: PgNode, name: String, qualifier: String?, alias: String?) -> Bool {
        guard let cr = TenantValueExtraction.strip(node).as("ColumnRef") else { return false }
        let f = fields(cr)
        guard f.last == name else { return false }
        if f.count == 1 { return true }
        let q = f[f.count - 2]
        return q == qualifier || q == alias
    }

    private static func pins(_ e: PgNode, column: String, qualifier: String?, alias: String?, sql: SQLBytes) -> Set<TenantValue>? {
        guard let a = e.as("A_Expr"), let kind = a["kind"], TenantValueExtraction.lastNameEquals(a["name"], "="),
              let l = a["lexpr"], let r = a["rexpr"] else { return nil }
        if kind.stringEquals("AEXPR_OP") {
            if isColumn(l, name: column, qualifier: qualifier, alias: alias), let v = TenantValueExtraction.value(r, sql: sql) { return [v] }
            if isColumn(r, name: column, qualifier: qualifier, alias: alias), let v = TenantValueExtraction.value(l, sql: sql) { return [v] }
            return nil
        }
        if kind.stringEquals("AEXPR_IN"), isColumn(l, name: column, qualifier: qualifier, alias: alias),
           let list = TenantValueExtraction.strip(r).as("List")?["items"] {
            return TenantValueExtraction.listValues(list, sql: sql)
        }
        return nil
    }
}
