#!/usr/bin/python3
"""A small multi-tenant API simulator that talks to a real PostgreSQL through psycopg2.

Run it with /usr/bin/python3: psycopg2 comes from Debian (python3-psycopg2, scripts/deps.sh test).

    /usr/bin/python3 apisim.py --scenario e2e|sample --audit OUT.jsonl --secret SECRET \
        [--expected OUT.json] [--dbname saas] [--user app]

Connects over PGHOST/PGPORT (as set by Tests/EndToEnd/lib/pg.sh). Every request:
  * carries a real JWT (HS256 over `--secret`, claims sub/tenant_id/sid/iat/exp), or a forged one;
  * tags every statement with a sqlcommenter comment (request_id, route, traceparent; keys sorted,
    values URL-encoded);
  * runs on ONE pooled connection (application_name billing-api) reused across requests;
  * then writes one audit line (JSON) AFTER its statements: ts (RFC 3339), request_id, traceparent,
    headers.authorization, host (when the client sent one), route, status, response.tenant_ids (the
    tenant_id column of the rows the handler actually returned), and refresh.presented /
    refresh.issued on the token endpoint.
A background job (application_name export-job, no request) runs on its own connection.

`--expected` writes what each request is (leak kind(s) or control) for the checker.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
import urllib.parse

import psycopg2


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict, secret: bytes, alg: str = "HS256") -> str:
    header = {"alg": alg, "typ": "JWT"}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode())
                     + "." + b64url(json.dumps(claims, separators=(",", ":")).encode()))
    if alg == "none":
        return signing_input + "."
    assert alg == "HS256"
    sig = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def rfc3339(t: float) -> str:
    d = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def sqlcommenter(tags: dict) -> str:
    parts = []
    for k in sorted(tags):
        v = urllib.parse.quote(str(tags[k]), safe="").replace("'", "\\'")
        parts.append(f"{k}='{v}'")
    return "/*" + ",".join(parts) + "*/"


class Api:
    """The application: handlers, a pooled connection, an in-process cache, the audit log."""

    def __init__(self, args):
        self.secret = args.secret.encode()
        self.dsn = dict(dbname=args.dbname, user=args.user,
                        host=os.environ.get("PGHOST"), port=os.environ.get("PGPORT"))
        # The pool has one connection, reused by every request (and never reset: see leak e).
        self.pool = psycopg2.connect(application_name="billing-api", **self.dsn)
        self.pool.autocommit = True
        self.audit = open(args.audit, "a", encoding="utf-8")
        self.cache = {}            # order id -> row: keyed WITHOUT the tenant (leak c)
        self.sessions = {}         # tenant -> (sub, sid)
        self.refresh_family = {}   # refresh token -> tenant
        self.expected = []
        self.request = None

    # --- identity -------------------------------------------------------------------------
    def token(self, tenant: str, alg: str = "HS256") -> str:
        sub, sid = self.sessions.setdefault(tenant, (f"user-{tenant}-{secrets.randbelow(900) + 100}",
                                                     "sid-" + secrets.token_hex(6)))
        now = int(time.time())
        claims = {"sub": sub, "tenant_id": tenant, "sid": sid, "iat": now, "exp": now + 3600}
        return make_jwt(claims, self.secret, alg)

    # --- database -------------------------------------------------------------------------
    def sql(self, statement: str, params=None, conn=None, tags=None):
        """Runs one statement tagged for the current request; returns the rows (as dicts)."""
        conn = conn or self.pool
        with conn.cursor() as cur:
            text = cur.mogrify(statement, params).decode() if params is not None else statement
            tags = tags if tags is not None else self.request["tags"]
            if tags:
                text = text + " " + sqlcommenter(tags)
            cur.execute(text)
            if cur.description is None:
                return []
            names = [d.name for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]

    # --- requests -------------------------------------------------------------------------
    def begin(self, rid, route, tenant=None, host=True, port=None, alg="HS256", expect=None, what=""):
        trace_id = secrets.token_hex(16)
        traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
        self.request = {"rid": rid, "route": route, "tenant": tenant, "start": time.time(),
                        "traceparent": traceparent, "trace_id": trace_id,
                        "tags": {"request_id": rid, "route": route, "traceparent": traceparent}}
        line = {"ts": None, "request_id": rid, "traceparent": traceparent, "method": "GET",
                "route": route, "headers": {"user-agent": "apisim/1.0"}}
        if tenant is not None:
            line["headers"]["authorization"] = "Bearer " + self.token(tenant, alg)
        if host:
            host_tenant = host if isinstance(host, str) else tenant
            line["host"] = f"{host_tenant}.example.com" + (f":{port}" if port else "")
        self.request["line"] = line
        self.expected.append({"request_id": rid, "trace_id": trace_id, "caller": tenant,
                              "expect": expect or [], "what": what})

    def respond(self, rows, status=200, method="GET", **extra):
        r = self.request
        line = r["line"]
        line["ts"] = rfc3339(r["start"])
        line["method"] = method
        line["status"] = status
        tenants = []
        for row in rows:
            t = row.get("tenant_id")
            if t is not None and t not in tenants:
                tenants.append(t)
        line["response"] = {"tenant_ids": tenants, "items": len(rows)}
        line["duration_ms"] = round((time.time() - r["start"]) * 1000, 1)
        line.update(extra)
        self.audit.write(json.dumps(line, separators=(",", ":")) + "\n")
        self.audit.flush()
        self.request = None
        time.sleep(0.02)

    # --- handlers -------------------------------------------------------------------------
    def list_invoices(self, tenant):
        return self.sql("SELECT id, tenant_id, amount, due_date::text AS due FROM invoices"
                        " WHERE tenant_id = %s AND paid = false ORDER BY id LIMIT 5", (tenant,))

    def order_by_id(self, tenant, order_id, stmt="get_order"):
        """Server-side bind parameters: PREPARE + EXECUTE (psycopg2 binds client-side otherwise)."""
        self.sql(f"PREPARE {stmt}(text, int) AS SELECT o.id, o.tenant_id, o.total, o.status, c.name"
                 " FROM orders o JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id"
                 " WHERE o.tenant_id = $1 AND o.id = $2")
        rows = self.sql(f"EXECUTE {stmt}(%s, %s)", (tenant, order_id))
        self.sql(f"DEALLOCATE {stmt}")
        return rows

    def projects(self, set_tenant=None, reset=True):
        if set_tenant:
            self.sql("SET app.current_tenant = %s", (set_tenant,))
        rows = self.sql("SELECT id, tenant_id, name FROM projects ORDER BY id")
        if set_tenant and reset:
            self.sql("RESET app.current_tenant")
        return rows

    def some_order_of(self, tenant, table="orders"):
        with self.pool.cursor() as cur:  # test fixture lookup, untagged and before any request
            cur.execute(f"SELECT min(id) FROM {table} WHERE tenant_id = %s", (tenant,))
            return cur.fetchone()[0]

    def refresh(self, rid, tenant, presented, expect=None, what=""):
        self.begin(rid, "/oauth/token", tenant, expect=expect, what=what)
        issued = "rt_" + secrets.token_urlsafe(18)
        self.refresh_family[issued] = tenant
        self.respond([], status=200, method="POST", refresh={"presented": presented, "issued": issued})
        return issued


def scenario(api: Api, kind: str, known_issues: bool = False):
    sample = kind == "sample"
    rid = (lambda e2e, smp: smp if sample else e2e)
    globex_order = api.some_order_of("globex")
    globex_order2 = globex_order + 1
    globex_invoice = api.some_order_of("globex", "invoices") if known_issues else None

    # --- controls -------------------------------------------------------------------------
    api.begin(rid("ok-literal-1", "req-0101"), "/invoices", "acme", what="scoped query, literal")
    api.respond(api.list_invoices("acme"))

    api.begin(rid("ok-bind-1", "req-0102"), "/orders/:id", "globex", port=8443,
              what="scoped query, bind parameters (PREPARE/EXECUTE); fills the order cache")
    rows = api.order_by_id("globex", globex_order)
    for r in rows:
        api.cache[r["id"]] = r
    api.respond(rows)

    if not sample:
        api.begin("ok-global-1", "/plans", "initech", what="global table tenants")
        api.respond(api.sql("SELECT id, name, plan FROM tenants ORDER BY id"))

    api.begin(rid("ok-rls-1", "req-0103"), "/projects", "acme",
              what="RLS table with SET app.current_tenant to the caller, then RESET")
    api.respond(api.projects(set_tenant="acme"))

    if not sample:
        api.begin("ok-404-1", "/.well-known/security.txt", None, host=False, what="404 without Host")
        api.respond([], status=404)

        rt1 = "rt_" + secrets.token_urlsafe(18)
        rt2 = api.refresh("ok-refresh-1", "acme", rt1, what="refresh token rotated")
        api.refresh("ok-refresh-2", "acme", rt2, what="the rotated token used once, rotated again")

    # --- leaks ----------------------------------------------------------------------------
    if not sample:
        api.begin("leak-missing_tenant_predicate-1", "/reports/overdue", "acme",
                  expect=[{"kind": "missing_tenant_predicate", "tables": ["orders"]}],
                  what="(a) SELECT without a tenant predicate inside a request")
        api.respond(api.sql("SELECT count(*) AS n, sum(total) AS total FROM orders WHERE status = 'overdue'"))

        api.begin("leak-cross_tenant_query-1", "/orders/:id", "acme",
                  expect=[{"kind": "cross_tenant_query", "tables": ["orders"], "accessed": ["globex"]},
                          {"kind": "cross_tenant_response", "accessed": ["globex"]}],
                  what="(b) IDOR: tenant_id = $1 bound to the victim globex")
        api.respond(api.order_by_id("globex", globex_order2))

    api.begin(rid("leak-cross_tenant_response-1", "req-0104"), "/orders/:id", "initech",
              expect=[{"kind": "cross_tenant_response", "accessed": ["globex"]}],
              what="(c) response carries globex's order from a cache keyed without the tenant")
    rows = api.sql("SELECT id, tenant_id, name FROM customers WHERE tenant_id = %s ORDER BY id LIMIT 2",
                   ("initech",))
    api.respond(rows + [api.cache[globex_order]])

    api.begin(rid("leak-token_host_mismatch-1", "req-0105"), "/invoices", "acme", host="globex",
              expect=[{"kind": "token_host_mismatch"}],
              what="(d) acme's token on globex's host")
    api.respond(api.list_invoices("acme"))

    api.begin(rid("ok-rls-noreset-1", "req-0106"), "/projects", "globex",
              what="RLS with the right session tenant, but the handler forgets RESET")
    api.respond(api.projects(set_tenant="globex", reset=False))
    api.begin(rid("leak-tenant_context_mismatch-1", "req-0107"), "/projects", "initech",
              expect=[{"kind": "tenant_context_mismatch", "tables": ["projects"], "accessed": ["globex"]},
                      {"kind": "cross_tenant_response", "accessed": ["globex"]}],
              what="(e) pooled connection still on globex: initech reads projects (RLS) without SET")
    api.respond(api.projects())
    # The next RLS request sets its own tenant: the session is clean again after its RESET.
    api.begin(rid("ok-rls-2", "req-0108"), "/projects", "acme", what="RLS after the leak, SET + RESET")
    api.respond(api.projects(set_tenant="acme"))

    if known_issues:
        # Cases tenantwatch got wrong when this was written (see api_correlation.sh).
        api.begin("ok-set-rollback-1", "/projects", "globex",
                  what="SET app.current_tenant inside a transaction that is rolled back")
        api.sql("BEGIN")
        api.sql("SET app.current_tenant = %s", ("globex",))
        rows = api.projects()
        api.sql("ROLLBACK")
        api.respond(rows)
        api.begin("ok-after-rollback-1", "/invoices", "initech",
                  what="scoped read after the ROLLBACK: PostgreSQL has undone the SET, the session has no tenant")
        api.respond(api.list_invoices("initech"))
        with api.pool.cursor() as cur:  # the driver's statement cache, prepared once, untagged
            cur.execute("PREPARE invoice_by_id(text, int) AS SELECT id, tenant_id, amount FROM invoices"
                        " WHERE tenant_id = $1 AND id = $2")
        api.begin("leak-cross_tenant_query-2", "/invoices/:id", "acme",
                  expect=[{"kind": "cross_tenant_query", "tables": ["invoices"], "accessed": ["globex"]},
                          {"kind": "cross_tenant_response", "accessed": ["globex"]}],
                  what="IDOR through a statement prepared at connection setup; only the EXECUTE is tagged")
        api.respond(api.sql("EXECUTE invoice_by_id(%s, %s)", ("globex", globex_invoice)))

    if not sample:
        api.begin("leak-unresolved_tenant-1", "/invoices", "initech", host=False,
                  expect=[{"kind": "unresolved_tenant"}],
                  what="(f) 2xx answer to a request without Host")
        api.respond(api.list_invoices("initech"))

    api.begin(rid("leak-unsigned_token-1", "req-0109"), "/invoices", "acme", alg="none",
              expect=[{"kind": "unsigned_token"}],
              what="(g) alg none token accepted")
    api.respond(api.list_invoices("acme"))

    if not sample:
        api.refresh("leak-refresh_token_reuse-1", "acme", rt1,
                    expect=[{"kind": "refresh_token_reuse"}],
                    what="(h) the first refresh token presented again after rotation")

        # (i) a background job on its own connection: no request, no tenant predicate.
        job = psycopg2.connect(application_name="export-job", **api.dsn)
        job.autocommit = True
        api.sql("SELECT id, tenant_id, amount FROM invoices ORDER BY id", conn=job,
                tags={"job": "nightly-export"})
        job.close()
        api.expected.append({"request_id": None, "application": "export-job", "caller": None,
                             "expect": [{"kind": "missing_tenant_predicate", "tables": ["invoices"]}],
                             "what": "(i) background export job without a tenant predicate"})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", choices=["e2e", "sample"], default="e2e")
    p.add_argument("--audit", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--expected")
    p.add_argument("--dbname", default="saas")
    p.add_argument("--user", default="app")
    p.add_argument("--known-issues", action="store_true",
                   help="add the requests tenantwatch got wrong when this was written")
    args = p.parse_args()
    if len(args.secret.encode()) < 32:
        sys.exit("apisim: --secret must be at least 32 bytes")
    api = Api(args)
    scenario(api, args.scenario, args.known_issues)
    api.pool.close()
    api.audit.close()
    if args.expected:
        with open(args.expected, "w", encoding="utf-8") as f:
            json.dump(api.expected, f, indent=1)


if __name__ == "__main__":
    main()
