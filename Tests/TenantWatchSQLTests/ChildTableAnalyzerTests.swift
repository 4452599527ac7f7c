import Testing
@testable import TenantWatchSQL
import TenantWatchTestSupport

/// One statement on `childSchema` (or `callerSchema`) and what the analyzer must say.
struct ChildCase: CustomTestStringConvertible, Sendable {
    var name: String
    var sql: String
    var verdict: Verdict
    var values: Set<String>? = nil
    var children: Set<String>? = nil
    var reason: String? = nil
    var caller = false
    var testDescription: String { name }
}

private func k(_ name: String, _ sql: String, _ verdict: Verdict, values: Set<String>? = nil,
               children: Set<String>? = nil, reason: String? = nil) -> ChildCase {
    ChildCase(name: name, sql: sql, verdict: verdict, values: values, children: children, reason: reason)
}

private func kc(_ name: String, _ sql: String, _ verdict: Verdict, values: Set<String>? = nil,
                reason: String? = nil) -> ChildCase {
    ChildCase(name: name, sql: sql, verdict: verdict, values: values, reason: reason, caller: true)
}

let childReadCases: [ChildCase] = [
    k("child by parent key", "SELECT * FROM messages WHERE po_id = $1", .unconfinedChild, children: ["messages"],
      reason: "messages (tenant-owned through messages.po_id -> purchase_orders.id; purchase_orders.org_id)"),
    k("child by own id", "SELECT body FROM messages WHERE id = $2", .unconfinedChild, children: ["messages"]),
    k("child by id list", "SELECT body FROM messages WHERE id IN (1, 2, 3)", .unconfinedChild),
    k("child by key OR key", "SELECT body FROM messages WHERE id = 1 OR id = 2", .unconfinedChild),
    k("child without any filter", "SELECT * FROM messages", .unscoped,
      reason: "not confined to one tenant: messages (tenant-owned through messages.po_id -> purchase_orders.id; purchase_orders.org_id)"),
    k("child filtered on a non-key column", "SELECT * FROM messages WHERE body = 'x'", .unscoped),
    k("grandchild by own key", "SELECT * FROM line_items WHERE id = $1", .unconfinedChild, children: ["line_items"],
      reason: "line_items.invoice_id -> invoices.id; invoices.customer_id -> customers.id; customers.tenant_id"),
    k("join to confined parent", "SELECT m.* FROM messages m JOIN purchase_orders p ON p.id = m.po_id AND p.org_id = $1",
      .scoped, values: ["$1"]),
    k("join to confined parent, WHERE", "SELECT m.body FROM messages m, purchase_orders p WHERE p.id = m.po_id AND p.org_id = 7",
      .scoped, values: ["7"]),
    k("join to parent, parent by key only", "SELECT m.* FROM messages m JOIN purchase_orders p ON p.id = m.po_id WHERE m.po_id = $1",
      .unscoped),
    k("chain of depth two", """
      SELECT li.* FROM line_items li JOIN invoices i ON i.id = li.invoice_id
      JOIN customers c ON c.id = i.customer_id AND c.tenant_id = $1
      """, .scoped, values: ["$1"]),
    k("chain of depth two, reversed equalities", """
      SELECT li.* FROM customers c, invoices i, line_items li
      WHERE c.tenant_id = $1 AND i.customer_id = c.id AND li.invoice_id = i.id
      """, .scoped, values: ["$1"]),
    k("chain broken in the middle", """
      SELECT li.* FROM line_items li JOIN invoices i ON i.number = 'x'
      JOIN customers c ON c.id = i.customer_id AND c.tenant_id = $1
      """, .unscoped),
    k("join on wrong columns", "SELECT m.* FROM messages m JOIN purchase_orders p ON p.id = m.id AND p.org_id = $1",
      .unscoped),
    k("depth two through messages", """
      SELECT a.* FROM attachments a JOIN messages m ON m.id = a.message_id
      JOIN purchase_orders p ON p.id = m.po_id WHERE p.org_id = $1
      """, .scoped, values: ["$1"]),
    k("IN subquery on confined parent", "SELECT * FROM messages WHERE po_id IN (SELECT id FROM purchase_orders WHERE org_id = $1)",
      .scoped, values: ["$1"]),
    k("= ANY subquery on confined parent", "SELECT * FROM messages WHERE po_id = ANY (SELECT id FROM purchase_orders WHERE org_id = $1)",
      .scoped, values: ["$1"]),
    k("IN subquery on unconfined parent", "SELECT * FROM messages WHERE po_id IN (SELECT id FROM purchase_orders)",
      .unscoped),
    k("NOT IN subquery confines nothing", "SELECT * FROM messages WHERE id = 3 AND NOT po_id IN (SELECT id FROM purchase_orders WHERE org_id = $1)",
      .unconfinedChild),
    k("IN subquery of the wrong column", "SELECT * FROM messages WHERE id IN (SELECT id FROM purchase_orders WHERE org_id = $1)",
      .unconfinedChild),
    k("nested IN subqueries, depth two", """
      SELECT * FROM line_items WHERE invoice_id IN (SELECT id FROM invoices WHERE customer_id IN
        (SELECT id FROM customers WHERE tenant_id = $1))
      """, .scoped, values: ["$1"]),
    k("tenant column IN subquery", "SELECT * FROM purchase_orders WHERE org_id IN (SELECT org_id FROM purchase_orders WHERE org_id = 4)",
      .scoped, values: ["4"]),
    k("alias shadows table name", "SELECT purchase_orders.body FROM messages purchase_orders WHERE purchase_orders.po_id = $1",
      .unconfinedChild),
    k("CTE of confined parent ids", """
      WITH mine AS (SELECT id FROM purchase_orders WHERE org_id = $1)
      SELECT m.* FROM messages m JOIN mine ON mine.id = m.po_id
      """, .scoped, values: ["$1"]),
    k("CTE reading the child by key", "WITH m AS (SELECT * FROM messages WHERE id = $1) SELECT * FROM m", .unconfinedChild),
    k("CTE with renamed key column", """
      WITH mine AS (SELECT id AS po FROM purchase_orders WHERE org_id = $1)
      SELECT m.* FROM messages m WHERE m.po_id IN (SELECT po FROM mine)
      """, .scoped, values: ["$1"]),
    k("derived table of the parent", """
      SELECT m.* FROM messages m JOIN (SELECT id FROM purchase_orders WHERE org_id = $1) p ON p.id = m.po_id
      """, .scoped, values: ["$1"]),
    k("UNION: one branch by key", """
      SELECT m.body FROM messages m JOIN purchase_orders p ON p.id = m.po_id AND p.org_id = $1
      UNION ALL SELECT body FROM messages WHERE id = $2
      """, .unconfinedChild),
    k("UNION: both branches confined", """
      SELECT m.body FROM messages m JOIN purchase_orders p ON p.id = m.po_id AND p.org_id = $1
      UNION SELECT a.path FROM attachments a JOIN messages m ON m.id = a.message_id
        JOIN purchase_orders p ON p.id = m.po_id AND p.org_id = $1
      """, .scoped, values: ["$1"]),
    k("UNION inside IN", """
      SELECT * FROM messages WHERE po_id IN (SELECT id FROM purchase_orders WHERE org_id = $1
        UNION SELECT id FROM purchase_orders WHERE org_id = $1)
      """, .scoped, values: ["$1"]),
    k("LEFT JOIN child of confined parent", """
      SELECT * FROM purchase_orders p LEFT JOIN messages m ON m.po_id = p.id WHERE p.org_id = $1
      """, .scoped, values: ["$1"]),
    k("USING on a multi-column key", """
      SELECT n.body FROM version_notes n JOIN invoice_versions v USING (invoice_id, version)
      JOIN invoices i ON i.id = v.invoice_id JOIN customers c ON c.id = i.customer_id WHERE c.tenant_id = $1
      """, .scoped, values: ["$1"]),
    k("multi-column key, all pairs", """
      SELECT n.body FROM version_notes n JOIN invoice_versions v ON v.invoice_id = n.invoice_id AND v.version = n.version
      JOIN invoices i ON i.id = v.invoice_id JOIN customers c ON c.id = i.customer_id AND c.tenant_id = $1
      """, .scoped, values: ["$1"]),
    k("multi-column key, one pair missing", """
      SELECT n.body FROM version_notes n JOIN invoice_versions v ON v.invoice_id = n.invoice_id
      JOIN invoices i ON i.id = v.invoice_id JOIN customers c ON c.id = i.customer_id AND c.tenant_id = $1
      """, .unscoped),
    k("multi-column key by values", "SELECT * FROM version_notes WHERE invoice_id = $1 AND version = $2", .unconfinedChild),
    k("row IN on a multi-column key", """
      SELECT * FROM version_notes WHERE (invoice_id, version) IN (SELECT invoice_id, version FROM invoice_versions v
        WHERE v.invoice_id IN (SELECT id FROM invoices WHERE customer_id IN (SELECT id FROM customers WHERE tenant_id = $1)))
      """, .scoped, values: ["$1"]),
    k("REFERENCES without a column list", """
      SELECT p.* FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN customers c ON c.id = i.customer_id AND c.tenant_id = 2
      """, .scoped, values: ["2"]),
    k("self-reference to a confined row", """
      SELECT e2.* FROM employees e1 JOIN employees e2 ON e2.manager_id = e1.id
      WHERE e1.customer_id IN (SELECT id FROM customers WHERE tenant_id = $1)
      """, .scoped, values: ["$1"]),
    k("self-reference by key", "SELECT * FROM employees WHERE manager_id = $1", .unconfinedChild),
    k("self-reference joined to a row found by key", """
      SELECT e2.* FROM employees e1 JOIN employees e2 ON e2.manager_id = e1.id WHERE e1.id = $1
      """, .unconfinedChild),
    k("cycle with a way out", "SELECT * FROM cyc_a WHERE id = $1", .unconfinedChild,
      reason: "cyc_a.b_id -> cyc_b.id; cyc_b.customer_id -> customers.id; customers.tenant_id"),
    k("cycle without a tenant", "SELECT * FROM loop_x WHERE id = $1", .notApplicable),
    k("configured parent by key", "SELECT * FROM order_lines WHERE id = $1", .unconfinedChild, children: ["order_lines"]),
    k("configured parent joined", "SELECT ol.* FROM order_lines ol JOIN orders o ON o.id = ol.order_id WHERE o.tenant_id = $1",
      .scoped, values: ["$1"]),
    k("global-free table untouched", "SELECT * FROM countries WHERE code = 'de'", .notApplicable),
    k("root found by its key stays unscoped", "SELECT * FROM purchase_orders WHERE id = $1", .unscoped),
    k("unscoped root beats unconfined child", "SELECT * FROM purchase_orders p, messages m WHERE m.id = $1", .unscoped),
    k("child by key next to a confined root", "SELECT * FROM purchase_orders p, messages m WHERE p.org_id = $1 AND m.id = $2",
      .unconfinedChild, children: ["messages"]),
    k("correlated EXISTS on the confined parent", """
      SELECT * FROM messages m WHERE m.id = $2 AND EXISTS (SELECT 1 FROM purchase_orders p WHERE p.id = m.po_id AND p.org_id = $1)
      """, .scoped, values: ["$1"]),
    k("correlated EXISTS, two levels", """
      SELECT * FROM line_items li WHERE EXISTS (SELECT 1 FROM invoices i JOIN customers c ON c.id = i.customer_id
        WHERE i.id = li.invoice_id AND c.tenant_id = $1)
      """, .scoped, values: ["$1"]),
    k("NOT EXISTS confines nothing", """
      SELECT * FROM messages m WHERE m.id = $2 AND NOT EXISTS (SELECT 1 FROM purchase_orders p WHERE p.id = m.po_id AND p.org_id = $1)
      """, .unconfinedChild),
    k("EXISTS in an OR branch confines nothing", """
      SELECT * FROM messages m WHERE m.id = $2 AND (m.body = 'x' OR EXISTS (SELECT 1 FROM purchase_orders p WHERE p.id = m.po_id AND p.org_id = $1))
      """, .unconfinedChild),
    k("EXISTS of an aggregate is always true", """
      SELECT * FROM messages m WHERE m.id = $2 AND EXISTS (SELECT count(*) FROM purchase_orders p WHERE p.id = m.po_id AND p.org_id = $1)
      """, .unconfinedChild),
    k("EXISTS correlated on the wrong column", """
      SELECT * FROM messages m WHERE m.id = $2 AND EXISTS (SELECT 1 FROM purchase_orders p WHERE p.id = m.id AND p.org_id = $1)
      """, .unconfinedChild),
    k("NOT EXISTS nested inside EXISTS does not reach out", """
      SELECT * FROM messages m WHERE m.id = $2 AND EXISTS (SELECT 1 FROM attachments a WHERE a.id = 5
        AND NOT EXISTS (SELECT 1 FROM purchase_orders p WHERE p.id = m.po_id AND p.org_id = $1))
      """, .unconfinedChild, children: ["attachments", "messages"]),
]

let childWriteCases: [ChildCase] = [
    k("UPDATE child by id", "UPDATE line_items SET qty = $1 WHERE id = $2", .unconfinedChild, children: ["line_items"]),
    k("DELETE child by parent key", "DELETE FROM messages WHERE po_id = $1", .unconfinedChild),
    k("DELETE child without filter", "DELETE FROM messages", .unscoped),
    k("UPDATE child with FROM confined parent", """
      UPDATE messages m SET body = $1 FROM purchase_orders p WHERE p.id = m.po_id AND p.org_id = $2 AND m.id = $3
      """, .scoped, values: ["$2"]),
    k("DELETE USING chain", """
      DELETE FROM line_items li USING invoices i, customers c
      WHERE i.id = li.invoice_id AND c.id = i.customer_id AND c.tenant_id = $1 AND li.id = $2
      """, .scoped, values: ["$1"]),
    k("UPDATE child, parent IN subquery", """
      UPDATE line_items SET qty = 0 WHERE invoice_id IN (SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
        WHERE c.tenant_id = $1)
      """, .scoped, values: ["$1"]),
    k("INSERT VALUES with parent key", "INSERT INTO messages (po_id, body) VALUES ($1, $2)", .unconfinedChild,
      children: ["messages"]),
    k("INSERT VALUES without column list", "INSERT INTO messages VALUES (1, $1, 'x')", .unconfinedChild),
    k("INSERT VALUES without parent key", "INSERT INTO messages (id, body) VALUES ($1, $2)", .unscoped,
      reason: "sets no parent key (po_id)"),
    k("INSERT multi-column key", "INSERT INTO version_notes (invoice_id, version, body) VALUES ($1, $2, $3)", .unconfinedChild),
]

let callerCases: [ChildCase] = [
    k("caller row join without config", """
      SELECT po.* FROM purchase_orders po JOIN users u ON u.id = $1 AND u.org_id = po.org_id
      """, .unscoped, reason: "set [tenancy] caller_table = \"users\" (caller_key = \"id\", caller_tenant_column = \"org_id\")"),
    k("caller subquery without config", "SELECT * FROM purchase_orders WHERE org_id IN (SELECT org_id FROM users WHERE id = $1)",
      .unscoped, reason: "caller_table"),
    kc("caller row join", "SELECT po.* FROM purchase_orders po JOIN users u ON u.id = $1 AND u.org_id = po.org_id",
       .scoped, values: ["caller(users.id = $1)"]),
    kc("caller subquery", "SELECT * FROM purchase_orders WHERE org_id IN (SELECT org_id FROM users WHERE id = $1)",
       .scoped, values: ["caller(users.id = $1)"]),
    kc("caller row confines a child through its parent", """
      SELECT m.* FROM messages m JOIN purchase_orders po ON po.id = m.po_id JOIN users u ON u.id = $1 AND u.org_id = po.org_id
      """, .scoped),
    kc("caller's own row", "SELECT email FROM users WHERE id = $1", .scoped),
    kc("caller table by another column", "SELECT * FROM users WHERE email = $1", .unscoped),
    kc("caller row but join misses the tenant", "SELECT po.* FROM purchase_orders po JOIN users u ON u.id = $1", .unscoped),
    kc("child by key is still unconfined with a caller table", "SELECT * FROM messages WHERE po_id = $1", .unconfinedChild),
]

@Suite("SQL analyzer: tenancy through foreign keys")
struct ChildTableAnalyzerTests {
    static let plain = TenantPredicateAnalyzer(schema: childSchema)
    static let withCaller = TenantPredicateAnalyzer(schema: callerSchema)

    @Test(arguments: childReadCases + childWriteCases + callerCases)
    func verdict(_ t: ChildCase) {
        let a = (t.caller ? Self.withCaller : Self.plain).analyze(t.sql)
        #expect(a.verdict == t.verdict, "\(t.name): \(a.reason)")
        if let values = t.values {
            #expect(Set(a.tenantValues.map(\.description)) == values, "\(t.name): \(a.reason)")
        }
        if let children = t.children {
            #expect(Set(a.unconfinedChildTables.map(\.description)) == children, "\(t.name): \(a.reason)")
        }
        if let fragment = t.reason {
            #expect(a.reason.contains(fragment), "\(t.name): \(a.reason)")
        }
    }

    @Test func everyPatternHasCases() {
        #expect(childReadCases.count + childWriteCases.count + callerCases.count >= 60)
    }
}

/// A child that has a tenant column of its own is confined only through it: its foreign key
/// does not prove its tenant (the two columns may disagree), as the sample schema's
/// `order_items.order_id -> orders.id` shows.
@Suite struct RootOwnedChildTests {
    @Test func foreignKeyDoesNotConfineAChildWithItsOwnTenantColumn() {
        let a = TenantPredicateAnalyzer(schema: sampleSchema)
        let unlinked = a.analyze("SELECT i.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.tenant_id = 1")
        #expect(unlinked.verdict == .unscoped)
        #expect(unlinked.unscopedTables.map(\.description) == ["order_items"])
        #expect(a.analyze("SELECT * FROM order_items WHERE id = $1").verdict == .unscoped, "a root table found by key is unscoped")
    }
}
