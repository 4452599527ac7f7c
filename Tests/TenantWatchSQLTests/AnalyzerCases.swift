import Testing
@testable import TenantWatchSQL

/// One statement and what the analyzer must say about it.
struct AnalyzerCase: CustomTestStringConvertible, Sendable {
    var name: String
    var sql: String
    var verdict: Verdict
    /// Expected union of tenant values (their `description`), when given.
    var values: Set<String>?
    /// Expected tenant-owned tables (their `description`), when given.
    var tables: Set<String>?
    /// Expected unscoped tables, when given.
    var unscoped: Set<String>?
    /// A fragment the reason must contain, when given.
    var reasonContains: String?
    var kind: StatementKind?
    var withSchema = true

    var testDescription: String { name }
}

func c(_ name: String, _ sql: String, _ verdict: Verdict, values: Set<String>? = nil, tables: Set<String>? = nil,
       unscoped: Set<String>? = nil, reason: String? = nil, kind: StatementKind? = nil) -> AnalyzerCase {
    AnalyzerCase(name: name, sql: sql, verdict: verdict, values: values, tables: tables, unscoped: unscoped,
                 reasonContains: reason, kind: kind)
}

func n(_ name: String, _ sql: String, _ verdict: Verdict, values: Set<String>? = nil, tables: Set<String>? = nil,
       kind: StatementKind? = nil) -> AnalyzerCase {
    AnalyzerCase(name: name, sql: sql, verdict: verdict, values: values, tables: tables, unscoped: nil,
                 reasonContains: nil, kind: kind, withSchema: false)
}

let longInList = "SELECT * FROM orders WHERE tenant_id IN (" + (1...1500).map { "'t\($0)'" }.joined(separator: ", ") + ")"
let longSameInList = "SELECT * FROM orders WHERE tenant_id IN (" + Array(repeating: "'acme'", count: 1500).joined(separator: ", ") + ")"
let nestedSubqueries: String = {
    var q = "SELECT * FROM orders WHERE tenant_id = 3"
    for k in 0..<40 { q = "SELECT * FROM (\(q)) s\(k)" }
    return q
}()
let tooDeepSubqueries: String = {
    var q = "SELECT 1"
    for k in 0..<200 { q = "SELECT * FROM (\(q)) s\(k)" }
    return q
}()
let deepBoolean = "SELECT * FROM orders WHERE tenant_id = 1 AND " + String(repeating: "NOT (", count: 900) + "x" + String(repeating: ")", count: 900)
let hostileNot = "SELECT * FROM orders WHERE tenant_id = 1 AND " + String(repeating: "NOT (", count: 3000) + "x" + String(repeating: ")", count: 3000)
let hostileScalarSubqueries = "SELECT " + String(repeating: "(SELECT ", count: 3000) + "1" + String(repeating: ")", count: 3000) + " FROM orders WHERE tenant_id = 1"
let hostileAndOr: String = {
    var e = "tenant_id = 1"
    for k in 0..<2000 { e = k % 2 == 0 ? "(\(e) AND total > 0)" : "(\(e) OR tenant_id = 1)" }
    return "SELECT * FROM orders WHERE " + e
}()
let deepAndOr: String = {
    var e = "tenant_id = 1"
    for k in 0..<300 { e = k % 2 == 0 ? "(\(e) AND total > \(k))" : "(\(e) OR tenant_id = 1)" }
    return "SELECT * FROM orders WHERE " + e
}()

let selectCases: [AnalyzerCase] = [
    c("literal pin", "SELECT * FROM orders WHERE tenant_id = 1", .scoped, values: ["1"], tables: ["orders"]),
    c("parameter pin", "SELECT id FROM orders WHERE tenant_id = $1", .scoped, values: ["$1"]),
    c("no predicate", "SELECT * FROM orders", .unscoped, tables: ["orders"], unscoped: ["orders"]),
    c("constant on the left", "SELECT * FROM orders WHERE 1 = tenant_id", .scoped, values: ["1"]),
    c("cast on the constant", "SELECT * FROM orders WHERE tenant_id = '1'::int", .scoped, values: ["1"]),
    c("cast on the column", "SELECT * FROM orders WHERE tenant_id::text = $1", .scoped, values: ["$1"]),
    c("casts on both sides", "SELECT * FROM orders WHERE tenant_id::text = CAST('7' AS text)", .scoped, values: ["7"]),
    c("current_setting", "SELECT * FROM orders WHERE tenant_id = current_setting('app.current_tenant')::int", .scoped,
      values: ["current_setting('app.current_tenant')"]),
    c("negative literal", "SELECT * FROM orders WHERE tenant_id = -5", .scoped, values: ["-5"]),
    c("zero literal", "SELECT * FROM orders WHERE tenant_id = 0", .scoped, values: ["0"]),
    c("other predicates around", "SELECT * FROM orders WHERE status = 'open' AND tenant_id = 4 AND total > 10", .scoped, values: ["4"]),
    c("one-element IN", "SELECT * FROM orders WHERE tenant_id IN ('5')", .scoped, values: ["5"]),
    c("two-element IN", "SELECT * FROM orders WHERE tenant_id IN ('a', 'b')", .multiTenant, values: ["a", "b"]),
    c("ANY of one-element array literal", "SELECT * FROM orders WHERE tenant_id = ANY('{9}')", .scoped, values: ["9"]),
    c("ANY of one-element ARRAY[]", "SELECT * FROM orders WHERE tenant_id = ANY(ARRAY['x'])", .scoped, values: ["x"]),
    c("ANY of two-element ARRAY[]", "SELECT * FROM orders WHERE tenant_id = ANY(ARRAY[1, 2])", .multiTenant, values: ["1", "2"]),
    c("ANY of an array parameter", "SELECT * FROM orders WHERE tenant_id = ANY($1)", .unscoped),
    c("OR of two values", "SELECT * FROM orders WHERE tenant_id = 'a' OR tenant_id = 'b'", .multiTenant, values: ["a", "b"]),
    c("OR of the same value", "SELECT * FROM orders WHERE (tenant_id = 1 AND status = 'x') OR tenant_id = 1", .scoped, values: ["1"]),
    c("OR with an unscoped branch", "SELECT * FROM orders WHERE tenant_id = 1 OR total > 100", .unscoped),
    c("not equal", "SELECT * FROM orders WHERE tenant_id <> 1", .unscoped),
    c("LIKE", "SELECT * FROM orders WHERE tenant_id::text LIKE '1%'", .unscoped),
    c("IS NOT NULL", "SELECT * FROM orders WHERE tenant_id IS NOT NULL", .unscoped),
    c("NOT of not-equal", "SELECT * FROM orders WHERE NOT (tenant_id <> 1)", .unscoped),
    c("IS NOT DISTINCT FROM counts as equality", "SELECT * FROM orders WHERE tenant_id IS NOT DISTINCT FROM $1", .scoped, values: ["$1"]),
    c("function of the column", "SELECT * FROM orders WHERE COALESCE(tenant_id, 1) = 1", .unscoped),
    c("column equals itself", "SELECT * FROM orders o WHERE o.tenant_id = o.tenant_id", .unscoped),
    c("sqlcommenter comment is ignored", "SELECT * FROM orders WHERE tenant_id = $1 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/", .scoped, values: ["$1"]),
    c("row comparison", "SELECT * FROM orders WHERE (tenant_id, id) = ($1, $2)", .scoped, values: ["$1"]),
    c("same parameter twice in an OR", "SELECT * FROM orders WHERE tenant_id = $1 OR (tenant_id = $1 AND status = 'x')", .scoped, values: ["$1"]),
    c("aggregate over all tenants", "SELECT tenant_id, count(*) FROM orders GROUP BY tenant_id", .unscoped),
    c("scalar subquery as the value", "SELECT * FROM orders WHERE tenant_id = (SELECT tenant_id FROM customers WHERE id = $1)", .unscoped),
    c("FOR UPDATE", "SELECT * FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE", .scoped, values: ["$1"]),
    c("very long IN list", longInList, .multiTenant),
    c("very long IN list of one value", longSameInList, .scoped, values: ["acme"]),
    c("deep NOT nesting", deepBoolean, .scoped, values: ["1"]),
    c("deep AND/OR nesting", deepAndOr, .scoped, values: ["1"]),
    c("hostile NOT nesting", hostileNot, .scoped, values: ["1"]),
    c("hostile AND/OR nesting gives up conservatively", hostileAndOr, .unscoped),
    c("hostile scalar subquery nesting", hostileScalarSubqueries, .unscoped, reason: "nested too deeply"),
]

let joinCases: [AnalyzerCase] = [
    c("aliases of one table, one pinned", "SELECT * FROM orders a JOIN orders b ON a.customer_id = b.customer_id WHERE a.tenant_id = 1", .unscoped,
      reason: "orders AS b"),
    c("aliases of one table, linked", "SELECT * FROM orders a JOIN orders b ON a.tenant_id = b.tenant_id WHERE a.tenant_id = 1", .scoped, values: ["1"]),
    c("propagation through USING", "SELECT * FROM orders o JOIN order_items i USING (tenant_id) WHERE o.tenant_id = $1", .scoped,
      values: ["$1"], tables: ["orders", "order_items"]),
    c("bare column after USING", "SELECT * FROM orders JOIN order_items USING (tenant_id) WHERE tenant_id = 2", .scoped, values: ["2"]),
    c("NATURAL JOIN", "SELECT * FROM orders NATURAL JOIN order_items WHERE orders.tenant_id = 1", .scoped, values: ["1"]),
    c("propagation through WHERE", "SELECT * FROM orders o, order_items i WHERE i.order_id = o.id AND i.tenant_id = o.tenant_id AND o.tenant_id = 8", .scoped, values: ["8"]),
    c("three-way join with a missing link", "SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id AND i.tenant_id = o.tenant_id JOIN customers c ON c.id = o.customer_id WHERE o.tenant_id = 1", .unscoped, unscoped: ["customers"]),
    c("three-way join fully linked", "SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id AND i.tenant_id = o.tenant_id JOIN customers c ON c.id = o.customer_id AND c.tenant_id = i.tenant_id WHERE o.tenant_id = 1", .scoped, values: ["1"]),
    c("two items, two literals", "SELECT * FROM orders a, orders b WHERE a.tenant_id = 1 AND b.tenant_id = 2", .multiTenant, values: ["1", "2"]),
    c("two items, two parameters", "SELECT * FROM orders a, customers b WHERE a.tenant_id = $1 AND b.tenant_id = $2", .scoped, values: ["$1", "$2"]),
    c("LEFT JOIN: ON confines the nullable side", "SELECT * FROM orders o LEFT JOIN order_items i ON i.order_id = o.id AND i.tenant_id = 1 WHERE o.tenant_id = 1", .scoped),
    c("LEFT JOIN: ON does not confine the preserved side", "SELECT * FROM orders o LEFT JOIN order_items i ON i.order_id = o.id AND o.tenant_id = 1 AND i.tenant_id = 1", .unscoped, unscoped: ["orders"]),
    c("LEFT JOIN: propagation to the nullable side", "SELECT * FROM orders o LEFT JOIN order_items i ON i.tenant_id = o.tenant_id WHERE o.tenant_id = $1", .scoped),
    c("FULL JOIN: ON confines nothing", "SELECT * FROM orders a FULL JOIN orders b ON a.tenant_id = 1 AND b.tenant_id = 1", .unscoped),
    c("ambiguous bare tenant column", "SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id WHERE tenant_id = 1", .unscoped, reason: "ambiguous"),
    c("bare column with a global table", "SELECT * FROM orders o JOIN plans p ON p.id = o.id WHERE tenant_id = 1", .scoped, values: ["1"], tables: ["orders"]),
    c("LATERAL subquery linked", "SELECT * FROM orders o, LATERAL (SELECT * FROM order_items i WHERE i.tenant_id = o.tenant_id LIMIT 5) x WHERE o.tenant_id = 1", .scoped),
    c("LATERAL subquery unlinked", "SELECT * FROM orders o CROSS JOIN LATERAL (SELECT * FROM order_items i WHERE i.order_id = o.id) x WHERE o.tenant_id = 1", .unscoped, unscoped: ["order_items"]),
]

let subqueryCases: [AnalyzerCase] = [
    c("UNION, one branch unscoped", "SELECT id FROM orders WHERE tenant_id = 1 UNION SELECT id FROM customers", .unscoped, unscoped: ["customers"]),
    c("UNION ALL, both scoped", "SELECT id FROM orders WHERE tenant_id = 1 UNION ALL SELECT id FROM customers WHERE tenant_id = 1", .scoped, values: ["1"]),
    c("INTERSECT and EXCEPT", "SELECT id FROM orders WHERE tenant_id = $1 INTERSECT SELECT order_id FROM order_items WHERE tenant_id = $1 EXCEPT SELECT id FROM orders WHERE status = 'x'", .unscoped),
    c("CTE confined inside", "WITH o AS (SELECT * FROM orders WHERE tenant_id = 1) SELECT * FROM o", .scoped, values: ["1"]),
    c("CTE confined by the outer query", "WITH o AS (SELECT * FROM orders) SELECT * FROM o WHERE o.tenant_id = 1", .scoped, values: ["1"]),
    c("CTE that aggregates", "WITH t AS (SELECT tenant_id, count(*) AS n FROM orders GROUP BY tenant_id) SELECT * FROM t WHERE tenant_id = 1", .unscoped),
    c("CTE referenced twice", "WITH o AS (SELECT * FROM orders) SELECT * FROM o a JOIN o b ON a.id = b.id WHERE a.tenant_id = 1", .unscoped),
    c("data-modifying CTE", "WITH d AS (DELETE FROM orders WHERE status = 'void' RETURNING id) SELECT count(*) FROM d", .unscoped, kind: .select),
    c("recursive CTE linked", "WITH RECURSIVE tree AS (SELECT id, parent_id, tenant_id FROM customers WHERE tenant_id = 1 AND parent_id IS NULL UNION ALL SELECT c.id, c.parent_id, c.tenant_id FROM customers c JOIN tree t ON c.parent_id = t.id AND c.tenant_id = t.tenant_id) SELECT * FROM tree", .scoped, values: ["1"]),
    c("recursive CTE unlinked", "WITH RECURSIVE tree AS (SELECT id, parent_id FROM customers WHERE tenant_id = 1 UNION ALL SELECT c.id, c.parent_id FROM customers c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree", .unscoped),
    c("subquery confined by the outer query", "SELECT * FROM (SELECT * FROM orders) s WHERE s.tenant_id = 1", .scoped, values: ["1"]),
    c("subquery with a renamed column", "SELECT * FROM (SELECT o.tenant_id AS tid, o.id FROM orders o) s WHERE s.tid = $1", .scoped, values: ["$1"]),
    c("subquery with LIMIT", "SELECT * FROM (SELECT * FROM orders ORDER BY created_at LIMIT 10) s WHERE s.tenant_id = 1", .unscoped),
    c("subquery with DISTINCT ON", "SELECT * FROM (SELECT DISTINCT ON (customer_id) * FROM orders) s WHERE s.tenant_id = 1", .unscoped),
    c("subquery with plain DISTINCT", "SELECT * FROM (SELECT DISTINCT tenant_id, customer_id FROM orders) s WHERE s.tenant_id = 1", .scoped),
    c("subquery with a window function", "SELECT * FROM (SELECT *, row_number() OVER (ORDER BY id) FROM orders) s WHERE s.tenant_id = 1", .unscoped),
    c("subquery confined inside, opaque", "SELECT * FROM (SELECT * FROM orders WHERE tenant_id = 2 LIMIT 5) s", .scoped, values: ["2"]),
    c("nested subqueries", nestedSubqueries, .scoped, values: ["3"]),
    c("scalar subquery in target list, unscoped", "SELECT o.id, (SELECT count(*) FROM order_items) FROM orders o WHERE o.tenant_id = 1", .unscoped, unscoped: ["order_items"]),
    c("correlated scalar subquery", "SELECT o.id, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id AND i.tenant_id = o.tenant_id) FROM orders o WHERE o.tenant_id = 1", .scoped, values: ["1"]),
    c("IN (SELECT) unscoped", "SELECT * FROM orders WHERE tenant_id = 1 AND customer_id IN (SELECT id FROM customers)", .unscoped, unscoped: ["customers"]),
    c("EXISTS confined", "SELECT * FROM orders o WHERE o.tenant_id = 1 AND EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND c.tenant_id = 1)", .scoped),
    c("correlated IN with a bare inner column", "SELECT * FROM orders o WHERE o.tenant_id = 1 AND o.id IN (SELECT order_id FROM order_items WHERE tenant_id = o.tenant_id)", .scoped, values: ["1"]),
    c("subquery cannot confine its outer query", "SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = 1 AND o.tenant_id = 1)", .unscoped, unscoped: ["orders"]),
    c("too deep to analyse", tooDeepSubqueries, .unscoped, reason: "nested too deeply"),
]

let writeCases: [AnalyzerCase] = [
    c("UPDATE confined", "UPDATE orders SET status = 'paid' WHERE id = $1 AND tenant_id = $2", .scoped, values: ["$2"], kind: .update),
    c("UPDATE unconfined", "UPDATE orders SET status = 'paid' WHERE id = $1", .unscoped, kind: .update),
    c("UPDATE ... FROM linked", "UPDATE orders o SET total = i.qty FROM order_items i WHERE i.order_id = o.id AND i.tenant_id = o.tenant_id AND o.tenant_id = 1", .scoped),
    c("UPDATE ... FROM unlinked", "UPDATE orders o SET total = i.qty FROM order_items i WHERE i.order_id = o.id AND o.tenant_id = 1", .unscoped, unscoped: ["order_items"]),
    c("DELETE ... USING linked", "DELETE FROM order_items i USING orders o WHERE o.id = i.order_id AND o.tenant_id = i.tenant_id AND i.tenant_id = 'acme'", .scoped, values: ["acme"], kind: .delete),
    c("DELETE unconfined", "DELETE FROM orders WHERE created_at < now() - interval '1 year'", .unscoped),
    c("INSERT VALUES one tenant", "INSERT INTO orders (id, tenant_id, total) VALUES (1, 'acme', 10), (2, 'acme', 20)", .scoped, values: ["acme"], kind: .insert),
    c("INSERT VALUES parameter", "INSERT INTO orders (id, tenant_id) VALUES ($1, $2)", .scoped, values: ["$2"]),
    c("INSERT VALUES two tenants", "INSERT INTO orders (id, tenant_id) VALUES (1, 'acme'), (2, 'globex')", .multiTenant, values: ["acme", "globex"]),
    c("INSERT without the tenant column", "INSERT INTO orders (id, total) VALUES (1, 10)", .unscoped, reason: "sets no tenant column"),
    c("INSERT without a column list", "INSERT INTO orders VALUES (1, 42, 3, 'new', 10, now())", .scoped, values: ["42"]),
    c("INSERT tenant from an expression", "INSERT INTO orders (id, tenant_id) VALUES (1, (SELECT tenant_id FROM customers WHERE id = 3))", .unscoped),
    c("INSERT ... SELECT confined", "INSERT INTO order_items (id, order_id, tenant_id) SELECT id, id, tenant_id FROM orders WHERE tenant_id = 1", .scoped, tables: ["orders", "order_items"]),
    c("INSERT ... SELECT unconfined", "INSERT INTO order_items (id, order_id, tenant_id) SELECT id, id, tenant_id FROM orders", .unscoped, unscoped: ["orders", "order_items"]),
    c("INSERT ... SELECT of a constant tenant", "INSERT INTO order_items (id, order_id, tenant_id) SELECT id, id, 1 FROM plans", .scoped, values: ["1"], tables: ["order_items"]),
    c("INSERT ... SELECT, target unjudged", "INSERT INTO order_items (id, order_id, tenant_id) SELECT id, id, coalesce(id, 1) FROM plans", .notApplicable, tables: ["order_items"]),
    c("INSERT ... SELECT pin flows into the target", "INSERT INTO customers (id, tenant_id) SELECT o.customer_id, o.tenant_id FROM orders o WHERE o.tenant_id = $1", .scoped, values: ["$1"]),
    c("TRUNCATE", "TRUNCATE orders, plans", .unscoped, unscoped: ["orders"], reason: "TRUNCATE", kind: .delete),
    c("ON CONFLICT DO UPDATE on a non-tenant key", "INSERT INTO orders (id, tenant_id) VALUES (1, 'acme') ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total", .unscoped, reason: "another tenant"),
    c("ON CONFLICT DO UPDATE on a tenant key", "INSERT INTO orders (id, tenant_id) VALUES (1, 'acme') ON CONFLICT (tenant_id, id) DO UPDATE SET total = EXCLUDED.total", .scoped, values: ["acme"]),
    c("ON CONFLICT DO NOTHING", "INSERT INTO orders (id, tenant_id) VALUES (1, 'acme') ON CONFLICT (id) DO NOTHING", .scoped),
    c("MERGE linked", "MERGE INTO orders o USING order_items i ON o.id = i.order_id AND o.tenant_id = i.tenant_id AND i.tenant_id = 1 WHEN MATCHED THEN UPDATE SET total = i.qty", .scoped, kind: .merge),
    c("MERGE unlinked", "MERGE INTO orders o USING order_items i ON o.id = i.order_id WHEN MATCHED THEN DELETE", .unscoped),
    c("COPY table TO", "COPY orders TO STDOUT", .unscoped, reason: "COPY orders TO", kind: .copy),
    c("COPY (query) TO", "COPY (SELECT * FROM orders WHERE tenant_id = 1) TO STDOUT WITH CSV", .scoped, values: ["1"], kind: .copy),
    c("COPY table FROM is a write", "COPY orders FROM STDIN", .notApplicable, tables: ["orders"], kind: .copy),
]

let schemaCases: [AnalyzerCase] = [
    c("global table without tenant column", "SELECT * FROM plans", .notApplicable, tables: []),
    c("configured global table with a tenant column", "SELECT * FROM feature_flags", .notApplicable),
    c("RLS-protected table", "SELECT * FROM documents", .rls, tables: ["documents"], reason: "row-level security"),
    c("RLS table confined anyway", "SELECT * FROM documents WHERE tenant_id = 3", .scoped),
    c("RLS table next to an unscoped table", "SELECT * FROM documents d, orders o", .unscoped, unscoped: ["orders"]),
    c("RLS enabled without a policy", "SELECT * FROM notes", .unscoped),
    c("quoted identifier", "SELECT * FROM \"Orders\"", .unscoped, tables: ["Orders"]),
    c("quoted identifier confined", "SELECT * FROM \"Orders\" o WHERE o.tenant_id = 1", .scoped),
    c("schema-qualified public table", "SELECT * FROM public.orders WHERE orders.tenant_id = 1", .scoped, tables: ["orders"]),
    c("three-part column name", "SELECT * FROM public.orders WHERE public.orders.tenant_id = $1", .scoped),
    c("other schema without tenant column", "SELECT * FROM billing.orders", .notApplicable),
    c("other schema with tenant column", "SELECT * FROM billing.ledger", .unscoped, tables: ["billing.ledger"]),
    c("partition", "SELECT * FROM events_2026 WHERE at > now()", .unscoped),
    c("view is out of scope", "SELECT * FROM order_totals", .notApplicable),
    c("no table at all", "SELECT 1", .notApplicable, kind: .select),
]

let textCases: [AnalyzerCase] = [
    c("multi-statement, one unscoped", "SELECT * FROM orders WHERE tenant_id = 1; SELECT * FROM customers", .unscoped, unscoped: ["customers"]),
    c("multi-statement, two tenants", "SELECT * FROM orders WHERE tenant_id = 1; SELECT * FROM customers WHERE tenant_id = 2", .multiTenant),
    c("SET LOCAL then a read", "BEGIN; SET LOCAL app.current_tenant = 'acme'; SELECT * FROM orders WHERE tenant_id = current_setting('app.current_tenant'); COMMIT", .scoped, kind: .select),
    c("syntax error", "SELEC * FROM orders", .unparseable, reason: "syntax error"),
    c("empty text", "", .notApplicable),
    c("SET", "SET app.current_tenant = 'acme'", .notApplicable, kind: .set),
    c("set_config", "SELECT set_config('app.current_tenant', $1, true)", .notApplicable, kind: .set),
    c("EXPLAIN", "EXPLAIN SELECT * FROM orders", .notApplicable, kind: .other),
    c("PREPARE", "PREPARE q(int) AS SELECT * FROM orders", .unscoped, kind: .select),
    c("DDL", "CREATE INDEX ON orders (tenant_id)", .notApplicable, kind: .other),
]

let fallbackCases: [AnalyzerCase] = [
    n("no schema: unknown table", "SELECT * FROM orders", .notApplicable),
    n("no schema: qualified tenant column pins", "SELECT * FROM orders o WHERE o.tenant_id = 1", .scoped, values: ["1"], tables: ["orders"]),
    n("no schema: bare tenant column, one table", "SELECT * FROM orders WHERE tenant_id = $1", .scoped, tables: ["orders"]),
    n("no schema: tenant column in the target list", "SELECT o.tenant_id, o.id FROM orders o", .unscoped, tables: ["orders"]),
    n("no schema: only the mentioned table", "SELECT * FROM orders o JOIN items i ON i.order_id = o.id WHERE o.tenant_id = 1", .scoped, tables: ["orders"]),
    n("no schema: join on the tenant column", "SELECT * FROM orders o JOIN items i ON i.tenant_id = o.tenant_id", .unscoped, tables: ["orders", "items"]),
    n("no schema: USING the tenant column", "SELECT * FROM orders o JOIN items i USING (tenant_id) WHERE o.tenant_id = 1", .scoped, tables: ["orders", "items"]),
    n("no schema: configured table", "SELECT * FROM tickets", .unscoped, tables: ["tickets"]),
    n("no schema: configured table confined", "SELECT * FROM tickets WHERE tenant_id = 'acme'", .scoped),
    n("no schema: INSERT naming the tenant column", "INSERT INTO audit (tenant_id, what) VALUES (1, 'x')", .scoped, tables: ["audit"]),
    n("no schema: INSERT without it", "INSERT INTO audit (what) VALUES ('x')", .notApplicable),
    n("no schema: subquery exposes the column", "SELECT * FROM (SELECT * FROM orders) s WHERE s.tenant_id = 1", .scoped, tables: ["orders"]),
]

/// Issue 14's verdicts, PostgreSQL semantics: `x = NULL` is never true, and a subquery that
/// returns its tenant column only from rows confined to one tenant confines the outer column.
let nullAndSubqueryCases: [AnalyzerCase] = [
    c("IN with NULL", "SELECT * FROM orders WHERE tenant_id IN (1, NULL)", .scoped, values: ["1"]),
    c("IN with cast NULL", "SELECT * FROM orders WHERE tenant_id IN ($1, NULL::int)", .scoped, values: ["$1"]),
    c("NOT IN with NULL", "SELECT * FROM orders WHERE tenant_id NOT IN (1, NULL)", .unscoped, unscoped: ["orders"]),
    c("IN scoped subquery", "SELECT * FROM orders WHERE tenant_id IN (SELECT tenant_id FROM customers WHERE tenant_id = 2)",
      .scoped, values: ["2"]),
    c("= scoped scalar subquery", "SELECT * FROM orders WHERE tenant_id = (SELECT tenant_id FROM customers WHERE tenant_id = 2 LIMIT 1)",
      .scoped, values: ["2"]),
    c("= ANY scoped subquery", "SELECT * FROM orders WHERE tenant_id = ANY (SELECT c.tenant_id FROM customers c WHERE c.tenant_id IN (2, NULL))",
      .scoped, values: ["2"]),
    c("IN unscoped subquery", "SELECT * FROM orders WHERE tenant_id IN (SELECT tenant_id FROM customers)", .unscoped),
    c("IN subquery of another column", "SELECT * FROM orders WHERE tenant_id IN (SELECT id FROM customers WHERE tenant_id = 2)",
      .unscoped, unscoped: ["orders"]),
    c("scalar subquery over a join", "SELECT * FROM orders WHERE tenant_id = (SELECT c.tenant_id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.tenant_id = 2)",
      .unscoped),
]

let allAnalyzerCases = selectCases + joinCases + subqueryCases + writeCases + schemaCases + textCases + fallbackCases + nullAndSubqueryCases
