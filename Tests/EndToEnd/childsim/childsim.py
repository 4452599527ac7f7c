#!/usr/bin/python3
"""An API over a normalised schema (childsim/schema.sql) with IDORs injected through child tables.

    /usr/bin/python3 childsim.py --audit OUT.jsonl --secret SECRET --expected OUT.json [--dbname norm]

Uses apisim.py's application (one pooled connection, HS256 JWTs, sqlcommenter tags, an audit line
per request written after its statements). The audit line's response.tenant_ids are the tenants
that own the rows the handler returned, as the application knows them (looked up from an
ownership map read once at start on a connection that logs nothing).

Leaks (request ids leak-child-...): a child table reached by its own keys — SELECT by parent key
or id, UPDATE/DELETE by id, INSERT with a parent key, a multi-column key, a configured parent.
When the response shows another tenant's rows the leak is exact: cross_tenant_query (from the
statement) and cross_tenant_response (from the request); otherwise unconfined_child_access.
A busy endpoint (GET /line-items/{id}, twelve callers) leaks on every request.
Controls (ok-child-...): the same tables confined through the parent chain (JOIN, IN subquery,
UPDATE ... FROM, DELETE ... USING, CTE, INSERT ... SELECT, multi-column join, configured parent)
and through the caller's own row (`[tenancy] caller_table = "users"`).
"""
import argparse
import json
import os
import sys

import psycopg2

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apisim"))
import apisim  # noqa: E402


class Owners:
    """Which tenant owns each row, read once, silently (the fixture, not the application)."""

    def __init__(self, dbname):
        conn = psycopg2.connect(dbname=dbname, user="postgres", host=os.environ.get("PGHOST"),
                                port=os.environ.get("PGPORT"),
                                options="-c log_statement=none -c log_min_duration_statement=-1")
        q = {
            "customers": "SELECT id, tenant_id FROM customers",
            "invoices": "SELECT i.id, c.tenant_id FROM invoices i JOIN customers c ON c.id = i.customer_id",
            "line_items": "SELECT li.id, c.tenant_id FROM line_items li JOIN invoices i ON i.id = li.invoice_id"
                          " JOIN customers c ON c.id = i.customer_id",
            "purchase_orders": "SELECT id, org_id FROM purchase_orders",
            "messages": "SELECT m.id, p.org_id FROM messages m JOIN purchase_orders p ON p.id = m.po_id",
            "attachments": "SELECT a.id, p.org_id FROM attachments a JOIN messages m ON m.id = a.message_id"
                           " JOIN purchase_orders p ON p.id = m.po_id",
            "users": "SELECT id, org_id FROM users",
        }
        self.owner = {}
        with conn.cursor() as cur:
            for table, sql in q.items():
                cur.execute(sql)
                self.owner[table] = dict(cur.fetchall())
        conn.close()

    def ids_of(self, table, tenant):
        return sorted(k for k, v in self.owner[table].items() if v == tenant)

    def tag(self, rows, table, key="id"):
        """Rows as the handler returns them, each with the tenant that owns it."""
        return [dict(r, tenant_id=self.owner[table][r[key]]) for r in rows]


def scenario(api, own):
    acme_msgs, globex_pos = own.ids_of("messages", "acme"), own.ids_of("purchase_orders", "globex")
    acme_pos = own.ids_of("purchase_orders", "acme")
    acme_items, initech_inv = own.ids_of("line_items", "acme"), own.ids_of("invoices", "initech")
    acme_inv = own.ids_of("invoices", "acme")
    users = {v: k for k, v in own.owner["users"].items()}

    def leak(rid, route, caller, kinds, what, accessed=None, tables=None):
        expect = []
        for k in kinds:
            x = {"kind": k}
            if accessed is not None:
                x["accessed"] = accessed
            if tables is not None and k != "cross_tenant_response":
                x["tables"] = tables
            expect.append(x)
        api.begin(rid, route, caller, expect=expect, what=what)

    # --- leaks: reached by the child's own keys ---------------------------------------------------
    leak("leak-child-1", "/pos/{id}/messages", "acme", ["cross_tenant_query", "cross_tenant_response"],
         "messages by po_id of globex's PO", accessed=["globex"], tables=["messages"])
    rows = api.sql("SELECT id, po_id, body FROM messages WHERE po_id = %s", (globex_pos[0],))
    api.respond(own.tag(rows, "purchase_orders", "po_id"))

    leak("leak-child-2", "/line-items/{id}", "acme", ["unconfined_child_access"],
         "line item by id (own row: no evidence of another tenant)", tables=["line_items"])
    rows = api.sql("SELECT id, invoice_id, qty FROM line_items WHERE id = %s", (acme_items[0],))
    api.respond(own.tag(rows, "line_items"))

    leak("leak-child-3", "/line-items/{id}", "acme", ["unconfined_child_access"], "UPDATE line item by id",
         tables=["line_items"])
    api.sql("UPDATE line_items SET qty = %s WHERE id = %s", (7, acme_items[1]))
    api.respond([], method="PATCH")

    leak("leak-child-4", "/attachments/{id}", "globex", ["unconfined_child_access"], "DELETE attachment by id",
         tables=["attachments"])
    api.sql("DELETE FROM attachments WHERE id = %s", (max(own.owner["attachments"]),))
    api.respond([], method="DELETE")

    leak("leak-child-5", "/pos/{id}/messages", "initech", ["unconfined_child_access"],
         "INSERT message with a parent key", tables=["messages"])
    api.sql("INSERT INTO messages (po_id, body) VALUES (%s, %s)", (acme_pos[0], "spam"))
    api.respond([], status=201, method="POST")

    leak("leak-child-6", "/invoices/{id}/notes", "acme", ["unconfined_child_access"],
         "version notes by the multi-column key", tables=["version_notes"])
    api.sql("SELECT id, body FROM version_notes WHERE invoice_id = %s AND version = %s", (acme_inv[0], 1))
    api.respond([{"tenant_id": "acme"}])

    leak("leak-child-7", "/invoices/{id}/shipments", "globex", ["cross_tenant_query", "cross_tenant_response"],
         "shipments (configured parent) of initech's invoice", accessed=["initech"], tables=["shipments"])
    rows = api.sql("SELECT id, invoice_id, carrier FROM shipments WHERE invoice_id = %s", (initech_inv[0],))
    api.respond([dict(r, tenant_id="initech") for r in rows])

    leak("leak-child-8", "/messages/{id}/attachments", "acme", ["unconfined_child_access"],
         "attachments by parent key, depth two", tables=["attachments"])
    rows = api.sql("SELECT id, path, message_id FROM attachments WHERE message_id = %s", (acme_msgs[0],))
    api.respond(own.tag(rows, "attachments"))

    # A busy endpoint: every call leaks the same way; one incident by table and route.
    callers = ["acme", "globex", "initech"]
    for n in range(12):
        caller = callers[n % 3]
        item = own.ids_of("line_items", caller)[n % 3]
        leak(f"leak-child-busy-{n + 1}", "/line-items/{id}", caller, ["unconfined_child_access"],
             "busy endpoint, own rows", tables=["line_items"])
        rows = api.sql("SELECT id, invoice_id, qty FROM line_items WHERE id = %s", (item,))
        api.respond(own.tag(rows, "line_items"))

    # --- controls: confined through the parent chain or the caller's own row ----------------------
    def control(rid, route, caller, what):
        api.begin(rid, route, caller, expect=[], what=what)

    control("ok-child-1", "/pos/{id}/messages", "acme", "JOIN to the confined parent")
    rows = api.sql("SELECT m.id, m.po_id, m.body FROM messages m JOIN purchase_orders p ON p.id = m.po_id AND p.org_id = %s"
                   " WHERE m.po_id = %s", ("acme", acme_pos[0]))
    api.respond(own.tag(rows, "purchase_orders", "po_id"))

    control("ok-child-2", "/line-items", "globex", "IN subquery through two levels")
    rows = api.sql("SELECT id, qty FROM line_items WHERE invoice_id IN (SELECT i.id FROM invoices i"
                   " JOIN customers c ON c.id = i.customer_id WHERE c.tenant_id = %s)", ("globex",))
    api.respond(own.tag(rows, "line_items"))

    control("ok-child-3", "/line-items/{id}", "acme", "UPDATE ... FROM the parent chain")
    api.sql("UPDATE line_items li SET qty = %s FROM invoices i, customers c WHERE i.id = li.invoice_id"
            " AND c.id = i.customer_id AND c.tenant_id = %s AND li.id = %s", (3, "acme", acme_items[2]))
    api.respond([], method="PATCH")

    control("ok-child-4", "/attachments/{id}", "acme", "DELETE ... USING the parent chain")
    api.sql("DELETE FROM attachments a USING messages m, purchase_orders p WHERE m.id = a.message_id"
            " AND p.id = m.po_id AND p.org_id = %s AND a.id = %s", ("acme", min(own.owner["attachments"])))
    api.respond([], method="DELETE")

    control("ok-child-5", "/my/pos", "globex", "caller's own row (users) confines")
    rows = api.sql("SELECT po.id, po.title FROM purchase_orders po JOIN users u ON u.id = %s AND u.org_id = po.org_id",
                   (users["globex"],))
    api.respond(own.tag(rows, "purchase_orders"))

    control("ok-child-6", "/my/messages", "initech", "caller's row in an IN subquery, then the chain")
    rows = api.sql("SELECT m.id, m.po_id, m.body FROM messages m JOIN purchase_orders p ON p.id = m.po_id"
                   " WHERE p.org_id IN (SELECT org_id FROM users WHERE id = %s)", (users["initech"],))
    api.respond(own.tag(rows, "purchase_orders", "po_id"))

    control("ok-child-7", "/pos/messages", "acme", "CTE of the caller's POs")
    rows = api.sql("WITH mine AS (SELECT id FROM purchase_orders WHERE org_id = %s)"
                   " SELECT m.id, m.po_id, m.body FROM messages m JOIN mine ON mine.id = m.po_id", ("acme",))
    api.respond(own.tag(rows, "purchase_orders", "po_id"))

    control("ok-child-8", "/pos/{id}/messages", "acme", "INSERT ... SELECT from the confined parent")
    api.sql("INSERT INTO messages (po_id, body) SELECT id, %s FROM purchase_orders WHERE id = %s AND org_id = %s",
            ("hi", acme_pos[1], "acme"))
    api.respond([], status=201, method="POST")

    control("ok-child-9", "/invoices/{id}/notes", "globex", "multi-column key joined to the chain")
    api.sql("SELECT n.id, n.body FROM version_notes n JOIN versions v ON v.invoice_id = n.invoice_id"
            " AND v.version = n.version JOIN invoices i ON i.id = v.invoice_id JOIN customers c ON c.id = i.customer_id"
            " WHERE c.tenant_id = %s", ("globex",))
    api.respond([{"tenant_id": "globex"}])

    control("ok-child-10", "/shipments", "initech", "configured parent joined to the chain")
    api.sql("SELECT s.id, s.carrier FROM shipments s JOIN invoices i ON i.id = s.invoice_id"
            " JOIN customers c ON c.id = i.customer_id WHERE c.tenant_id = %s", ("initech",))
    api.respond([{"tenant_id": "initech"}])


def extra_controls(api, own):
    control = lambda rid, route, caller, what: api.begin(rid, route, caller, expect=[], what=what)
    control("ok-child-11", "/line-items/{id}", "globex", "correlated EXISTS on the confined parent")
    item = own.ids_of("line_items", "globex")[0]
    rows = api.sql("SELECT li.id, li.qty FROM line_items li WHERE li.id = %s AND EXISTS (SELECT 1 FROM invoices i"
                   " JOIN customers c ON c.id = i.customer_id WHERE i.id = li.invoice_id AND c.tenant_id = %s)",
                   (item, "globex"))
    api.respond(own.tag(rows, "line_items"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--audit", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--dbname", default="norm")
    p.add_argument("--user", default="app")
    args = p.parse_args()
    own = Owners(args.dbname)
    api = apisim.Api(args)
    scenario(api, own)
    extra_controls(api, own)
    api.pool.close()
    api.audit.close()
    with open(args.expected, "w", encoding="utf-8") as f:
        json.dump(api.expected, f, indent=1)


if __name__ == "__main__":
    main()
