#!/usr/bin/python3
"""Privileged paths on a real PostgreSQL: support staff impersonating customers, administrators
reading across tenants, internal routes used correctly and wrongly, and forged admin tokens.

    /usr/bin/python3 staffsim.py --audit OUT.jsonl --secret SECRET --expected OUT.json [--dbname saas]

Built on apisim.py's application (one pooled psycopg2 connection, sqlcommenter tags, an audit
line written after each request's statements, HS256 JWTs signed with --secret); only the tokens'
claims differ. Every request says what tenantwatch must report for it (`expect`, with the caller
tenant the findings carry); `[]` is a control that must stay silent.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apisim"))
import apisim  # noqa: E402

FORGER = b"an-attacker-made-this-key-up-0123456789"


class StaffApi(apisim.Api):
    """apisim's application with tokens whose claims each request chooses."""

    def __init__(self, args):
        super().__init__(args)
        self.claims = None
        self.alg = "HS256"
        self.key = self.secret

    def token(self, tenant, alg="HS256"):
        now = int(time.time())
        claims = dict(self.claims or {"sub": f"user-{tenant}", "tenant_id": tenant})
        claims.update({"iat": now, "exp": now + 3600})
        return apisim.make_jwt(claims, self.key, self.alg)

    def call(self, rid, route, claims, caller, expect, what, alg="HS256", key=None):
        """Begins a request whose token carries `claims` (None: no token at all)."""
        self.claims, self.alg, self.key = claims, alg, key or self.secret
        self.begin(rid, route, "token" if claims is not None else None, host=False, expect=expect, what=what)
        self.expected[-1]["caller"] = caller


def scenario(api: StaffApi):
    admin = {"sub": "alice@corp.example", "tenant_id": "internal", "role": "admin", "reason": "ticket 4711"}
    support_acme = {"sub": "sam@corp.example", "tenant_id": "internal", "role": "support", "impersonated_tenant": "acme"}
    support_initech = dict(support_acme, impersonated_tenant="initech")
    act_globex = {"sub": "user-globex-7", "tenant_id": "globex", "role": "support", "act": {"sub": "sam@corp.example"}}
    customer = {"sub": "user-acme-1", "tenant_id": "acme", "role": "member"}
    invoices = "SELECT id, tenant_id, amount FROM invoices WHERE tenant_id = %s ORDER BY id LIMIT 3"
    everyone = "SELECT id, tenant_id, amount FROM invoices ORDER BY id"

    # --- controls and access records ------------------------------------------------------
    api.call("ok-customer-1", "/invoices", customer, "acme", [], "a customer reads its own invoices")
    api.respond(api.sql(invoices, ("acme",)))

    def staff(accessed):
        return [{"kind": "privileged_access", "accessed": accessed},   # the statement
                {"kind": "privileged_access", "accessed": accessed}]   # what the response carried

    api.call("staff-admin-one-1", "/admin/tenants/:id/invoices", admin, "internal", staff(["globex"]),
             "admin reads one tenant's invoices on an admin route")
    api.respond(api.sql(invoices, ("globex",)))

    api.call("staff-admin-all-1", "/admin/invoices", admin, "internal", staff(["acme", "globex", "initech"]),
             "admin reads every tenant's invoices")
    api.respond(api.sql(everyone))

    api.call("staff-internal-admin-1", "/internal/activities", admin, "internal", staff(["acme", "globex", "initech"]),
             "admin on an internal route, unscoped by design")
    api.respond(api.sql("SELECT id, tenant_id, status FROM orders ORDER BY id"))

    api.call("staff-impersonate-1", "/orders", support_acme, "internal", staff(["acme"]),
             "support impersonating acme reads acme's orders")
    api.respond(api.sql("SELECT id, tenant_id, total FROM orders WHERE tenant_id = %s ORDER BY id LIMIT 3", ("acme",)))

    api.call("staff-act-1", "/invoices", act_globex, "globex", staff(["globex"]),
             "RFC 8693 token: sam acting for a globex user reads globex's invoices")
    api.respond(api.sql(invoices, ("globex",)))

    api.call("ok-internal-refused-1", "/internal/activities", customer, "acme", [],
             "a customer on an internal route is refused (403), nothing run")
    api.respond([], status=403)

    # --- leaks ----------------------------------------------------------------------------
    api.call("leak-impersonate-other-1", "/orders/:id", support_acme, "acme",
             [{"kind": "cross_tenant_query", "tables": ["orders"], "accessed": ["globex"]},
              {"kind": "cross_tenant_response", "accessed": ["globex"]}],
             "support impersonating acme reads a globex order: the impersonation scopes the privilege")
    api.respond(api.sql("SELECT id, tenant_id, total FROM orders WHERE tenant_id = %s ORDER BY id LIMIT 1", ("globex",)))

    api.call("leak-impersonate-unscoped-1", "/reports/open", support_initech, "initech",
             [{"kind": "missing_tenant_predicate", "tables": ["orders"], "accessed": []}],
             "support impersonating initech runs a report without a tenant predicate")
    api.respond(api.sql("SELECT count(*) AS n FROM orders WHERE status = 'open'"))

    others = ["globex", "initech"]
    api.call("leak-internal-customer-1", "/internal/activities", customer, "acme",
             [{"kind": "unguarded_internal_route", "accessed": others},            # the request
              {"kind": "unguarded_internal_route", "tables": ["orders"], "accessed": others},  # its statement
              {"kind": "missing_tenant_predicate", "tables": ["orders"], "accessed": others},
              {"kind": "cross_tenant_response", "accessed": others}],
             "a customer's token served every tenant's orders by an internal route")
    api.respond(api.sql("SELECT id, tenant_id, status FROM orders ORDER BY id"))

    api.call("leak-internal-scoped-1", "/internal/reports/:id", customer, "acme",
             [{"kind": "unguarded_internal_route", "accessed": []}],
             "a customer's token answered 200 on an internal route (its query was scoped)")
    api.respond(api.sql(invoices, ("acme",)))

    everyone3 = ["acme", "globex", "initech"]
    api.call("leak-internal-anonymous-1", "/admin/customers", None, None,
             [{"kind": "unguarded_internal_route", "accessed": everyone3},
              {"kind": "unguarded_internal_route", "tables": ["customers"], "accessed": everyone3},
              {"kind": "missing_tenant_predicate", "tables": ["customers"], "accessed": everyone3}],
             "no token at all on an admin route, every tenant's customers answered")
    api.respond(api.sql("SELECT id, tenant_id, name FROM customers ORDER BY id"))

    # --- attacks: a forged role=admin must never turn a leak into an access record ----------
    forged = {"sub": "mallory", "tenant_id": "acme", "role": "admin", "reason": "trust me"}
    api.call("attack-forged-admin-1", "/admin/tenants/:id/invoices", forged, None,
             [{"kind": "unsigned_token"}, {"kind": "unguarded_internal_route", "accessed": ["globex"]}],
             "admin token signed with the attacker's own key reads globex on an admin route", key=FORGER)
    api.respond(api.sql(invoices, ("globex",)))

    api.call("attack-alg-none-admin-1", "/admin/invoices", forged, None,
             [{"kind": "unsigned_token"},
              {"kind": "unguarded_internal_route", "accessed": everyone3},
              {"kind": "unguarded_internal_route", "tables": ["invoices"], "accessed": everyone3},
              {"kind": "missing_tenant_predicate", "tables": ["invoices"], "accessed": everyone3}],
             "alg none admin token reads every tenant's invoices", alg="none")
    api.respond(api.sql(everyone))

    api.call("attack-forged-admin-public-1", "/invoices/export", forged, None,
             [{"kind": "unsigned_token"},
              {"kind": "missing_tenant_predicate", "tables": ["invoices"], "accessed": everyone3}],
             "forged admin token on a public route reads every tenant's invoices", key=FORGER)
    api.respond(api.sql(everyone))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--audit", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--dbname", default="saas")
    p.add_argument("--user", default="app")
    args = p.parse_args()
    api = StaffApi(args)
    scenario(api)
    api.pool.close()
    api.audit.close()
    with open(args.expected, "w", encoding="utf-8") as f:
        json.dump(api.expected, f, indent=1)


if __name__ == "__main__":
    main()
